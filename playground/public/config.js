// Read by @skyra/discord-components-core when it loads: imported before it. The default avatar would otherwise
// come from Discord's CDN; the page loads nothing but the playground's own files.
globalThis.$discordMessage = {
	avatars: { default: '/api/avatars/default.svg' },
	defaultTheme: 'dark',
	defaultMode: 'cozy',
	defaultBackground: 'discord'
};
