/**
 * The playground page: servers, channels, the acting user's DMs with the bot, messages live from the fake Discord
 * (server-sent events), and the message box. Every action goes to the playground server, which drives the fake
 * Discord exactly as the end-to-end tests do.
 */
import './config.js';
import '@skyra/discord-components-core';
import { Composer } from './composer.js';
import { formatTime } from './markdown.js';
import { renderLocalNotice, renderMessage } from './messages.js';
import { openModal } from './modal.js';

const $ = (selector) => document.querySelector(selector);
const administrator = 1n << 3n;
const manageGuild = 1n << 5n;

const state = {
	/** GET /api/state: bot, people, servers with channels, roles and members, registered commands. */
	world: null,
	me: null,
	/** { kind: 'guild', guildId, channelId } or { kind: 'dm' } */
	view: { kind: 'dm' },
	/** channelId → Map(messageId → message view), for the channels loaded so far. */
	messages: new Map(),
	dismissed: new Set(),
	/** channelId → messages that arrived while it was not shown. */
	unread: new Map()
};

// ----- server calls -----

async function post(path, body) {
	const response = await fetch(`/api/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
	const result = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
	if (!response.ok && !result.error) result.error = `HTTP ${response.status}`;
	return result;
}

/** Fetches the world; `keepComposer` keeps what is being typed (a refresh from a live event). */
async function loadWorld({ keepComposer = false } = {}) {
	const response = await fetch('/api/state');
	state.world = await response.json();
	const people = state.world.people;
	if (!people.some((person) => person.id === state.me)) state.me = people[0].id;
	if (state.view.kind === 'guild') {
		const guild = currentGuild();
		if (!guild) state.view = { kind: 'dm' };
		else if (!guild.channels.some((channel) => channel.id === state.view.channelId)) state.view.channelId = guild.defaultChannelId;
	}
	renderAll({ keepComposer });
}

// ----- lookups -----

function currentGuild() {
	return state.view.kind === 'guild' ? state.world.guilds.find((guild) => guild.id === state.view.guildId) : undefined;
}

function person(id) {
	return state.world.people.find((candidate) => candidate.id === id);
}

function userName(id) {
	if (id === state.world.bot.id) return state.world.bot.name;
	return person(id)?.name ?? 'unknown-user';
}

function currentChannelId() {
	return state.view.kind === 'guild' ? state.view.channelId : person(state.me).dmChannelId;
}

function avatar(userId) {
	return `/api/avatars/${userId}.svg`;
}

const lookup = {
	userName: (id) => (id === state.world.bot.id || person(id) ? userName(id) : undefined),
	role: (id) => {
		for (const guild of state.world.guilds) {
			const role = guild.roles.find((candidate) => candidate.id === id);
			if (role) return role;
		}
		return undefined;
	},
	channelName: (id) => {
		for (const guild of state.world.guilds) {
			const channel = guild.channels.find((candidate) => candidate.id === id);
			if (channel) return channel.name;
		}
		return undefined;
	},
	jump: (guildId, channelId, messageId) => {
		if (guildId === '@me') openDms();
		else openChannel(guildId, channelId);
		void showChannel().then(() => {
			const target = document.getElementById(`message-${messageId}`);
			if (!target) return;
			target.scrollIntoView({ block: 'center' });
			target.setAttribute('highlight', '');
			setTimeout(() => target.removeAttribute('highlight'), 2_000);
		});
	}
};

/** Commands this user may run here: the DM context, or the server's with `default_member_permissions` applied. */
function availableCommands() {
	const commands = state.world.commands.filter((command) => command.type === 1);
	let usable;
	if (state.view.kind === 'dm') {
		usable = commands.filter(
			(command) => !command.guild_id && (command.contexts ? command.contexts.includes(1) : command.dm_permission !== false)
		);
	} else {
		const guild = currentGuild();
		// Its commands left with the bot.
		if (!guild.botInGuild) return [];
		const member = guild.members.find((candidate) => candidate.userId === state.me);
		const permissions = BigInt(member?.permissions ?? '0');
		usable = commands.filter((command) => {
			if (command.guild_id && command.guild_id !== guild.id) return false;
			if (command.contexts && !command.contexts.includes(0)) return false;
			if (command.default_member_permissions === null || command.default_member_permissions === undefined) return true;
			const needed = BigInt(command.default_member_permissions);
			// "0" hides the command from everyone but administrators (and the server owner, who has every permission).
			if (needed === 0n) return (permissions & administrator) !== 0n;
			return (permissions & needed) === needed;
		});
	}
	const byName = new Map();
	for (const command of usable) if (!byName.has(command.name) || command.guild_id) byName.set(command.name, command);
	const locale = person(state.me).locale;
	return [...byName.values()].map((command) => localized(command, locale)).sort((a, b) => a.name.localeCompare(b.name, locale));
}

/**
 * A command as Discord's client shows it to someone whose client speaks `locale`: names and descriptions from the
 * registered `name_localizations`/`description_localizations` (the default where the locale has none), down to
 * subcommands, options and choices. `apiName` keeps the registered name: the interaction carries that one.
 */
function localized(node, locale) {
	const copy = { ...node, apiName: node.name, name: node.name_localizations?.[locale] ?? node.name };
	if (node.description !== undefined) copy.description = node.description_localizations?.[locale] ?? node.description;
	if (node.options) copy.options = node.options.map((option) => localized(option, locale));
	if (node.choices) copy.choices = node.choices.map((choice) => ({ ...choice, name: choice.name_localizations?.[locale] ?? choice.name }));
	return copy;
}

function composerContext() {
	const guild = currentGuild();
	const channelId = currentChannelId();
	const entities = guild
		? {
				users: [...guild.members.map((member) => ({ id: member.userId, name: userName(member.userId) }))],
				roles: [{ id: guild.id, name: '@everyone' }, ...guild.roles],
				channels: guild.channels.filter((channel) => channel.type !== 4)
			}
		: { users: [person(state.me), state.world.bot].map((user) => ({ id: user.id, name: user.name })), roles: [], channels: [] };
	const channelName = guild ? `#${guild.channels.find((channel) => channel.id === channelId)?.name ?? ''}` : `@${state.world.bot.name}`;
	return {
		userId: state.me,
		guildId: guild?.id ?? null,
		channelId,
		placeholder:
			guild && !guild.botInGuild
				? `Message ${channelName} · ${state.world.bot.name} is no longer in this server`
				: `Message ${channelName} · type / for the bot's commands`,
		commands: availableCommands(),
		entities
	};
}

// ----- rendering -----

function renderAll({ keepComposer = false } = {}) {
	renderRail();
	renderSidebar();
	renderServerLanguage();
	renderSwitcher();
	if (!keepComposer) composer.reset();
	void showChannel();
}

function renderRail() {
	const home = $('#home');
	home.classList.toggle('active', state.view.kind === 'dm');
	const dmUnread = state.unread.get(person(state.me).dmChannelId) ?? 0;
	const badge = home.querySelector('.badge');
	badge.hidden = dmUnread === 0;
	badge.textContent = String(dmUnread);

	const list = $('#guild-list');
	list.replaceChildren(
		...state.world.guilds.map((guild) => {
			const button = document.createElement('button');
			button.type = 'button';
			button.className = `server-icon${state.view.kind === 'guild' && state.view.guildId === guild.id ? ' active' : ''}`;
			button.title = guild.name;
			button.setAttribute('aria-label', guild.name);
			button.dataset.guildName = guild.name;
			const initials = document.createElement('span');
			initials.className = 'server-initials';
			initials.textContent = guild.name
				.split(/\s+/)
				.map((word) => word[0] ?? '')
				.join('')
				.slice(0, 3);
			button.append(initials);
			const unread = guild.channels.reduce((sum, channel) => sum + (state.unread.get(channel.id) ?? 0), 0);
			if (unread > 0) {
				const badge = document.createElement('span');
				badge.className = 'badge';
				badge.textContent = String(unread);
				button.append(badge);
			}
			button.addEventListener('click', () => {
				openChannel(guild.id, guild.defaultChannelId);
				renderAll();
			});
			return button;
		})
	);
}

function renderSidebar() {
	const title = $('#sidebar-title');
	const channels = $('#channels');
	channels.replaceChildren();
	const guild = currentGuild();
	if (!guild) {
		title.textContent = 'Direct Messages';
		const entry = channelButton(`${state.world.bot.name}`, person(state.me).dmChannelId, true);
		entry.addEventListener('click', () => {
			openDms();
			renderAll();
		});
		const note = document.createElement('p');
		note.className = 'sidebar-note';
		note.textContent =
			state.me === state.world.ownerId
				? 'You are the bot owner: when the bot joins a server, it asks you here to approve it. Messages are not kept across restarts: for a server still pending from an earlier run, use /admin pending and /admin approve.'
				: 'The bot writes here only to its owner. Switch to Olivia (bot owner) to see approval requests.';
		channels.append(entry, note);
		return;
	}
	title.textContent = guild.name;
	for (const channel of guild.channels) {
		if (channel.type === 4) {
			const category = document.createElement('div');
			category.className = 'category';
			category.textContent = channel.name;
			channels.append(category);
			continue;
		}
		const entry = channelButton(channel.name, channel.id, false);
		entry.addEventListener('click', () => {
			openChannel(guild.id, channel.id);
			renderAll();
		});
		channels.append(entry);
	}
	const note = document.createElement('p');
	note.className = 'sidebar-note';
	const owner = person(guild.ownerId);
	note.textContent = `Server owner: ${owner?.name ?? 'someone else'}. Morgan has Manage Server (Moderators role); Vera holds the Voters role.`;
	channels.append(note);
}

function channelButton(label, channelId, isDm) {
	const button = document.createElement('button');
	button.type = 'button';
	button.className = `channel${channelId === currentChannelId() ? ' active' : ''}`;
	button.dataset.channelName = label;
	if (isDm) {
		const image = document.createElement('img');
		image.src = avatar(state.world.bot.id);
		image.alt = '';
		button.append(image);
	} else {
		const hash = document.createElement('span');
		hash.className = 'hash';
		hash.textContent = '#';
		button.append(hash);
	}
	button.append(document.createTextNode(label));
	const unread = state.unread.get(channelId) ?? 0;
	if (unread > 0 && channelId !== currentChannelId()) {
		const count = document.createElement('span');
		count.className = 'unread';
		count.textContent = String(unread);
		button.append(count);
	}
	return button;
}

function renderSwitcher() {
	const select = $('#user-switcher');
	select.replaceChildren(
		...state.world.people.map((candidate) => {
			const option = document.createElement('option');
			option.value = candidate.id;
			option.dataset.key = candidate.key;
			option.textContent = `${candidate.name} — ${candidate.note}`;
			return option;
		})
	);
	select.value = state.me;
	$('#me-avatar').src = avatar(state.me);
	fillLanguages($('#member-language'), person(state.me).locale);
}

function fillLanguages(select, value) {
	select.replaceChildren(
		...state.world.languages.map((language) => {
			const option = document.createElement('option');
			option.value = language.code;
			option.textContent = `${language.name} · ${language.code}`;
			return option;
		})
	);
	select.value = value;
}

/** The server's preferred language; only a member with Manage Server may change it, as on Discord. */
function renderServerLanguage() {
	const bar = $('#server-language-bar');
	const guild = currentGuild();
	bar.hidden = !guild;
	if (!guild) return;
	const select = $('#server-language');
	fillLanguages(select, guild.locale);
	const member = guild.members.find((candidate) => candidate.userId === state.me);
	const permissions = BigInt(member?.permissions ?? '0');
	select.disabled = (permissions & (manageGuild | administrator)) === 0n;
	select.title = select.disabled ? 'Only members with Manage Server can change it.' : '';
}

function openChannel(guildId, channelId) {
	state.view = { kind: 'guild', guildId, channelId };
}

function openDms() {
	state.view = { kind: 'dm' };
}

/** Loads the channel's messages once, then draws the ones the acting user can see. */
async function showChannel() {
	const channelId = currentChannelId();
	state.unread.delete(channelId);
	if (!state.messages.has(channelId)) {
		// Registered before the fetch: a live event arriving meanwhile is newer than the fetched copy, and wins.
		const known = new Map();
		state.messages.set(channelId, known);
		const response = await fetch(`/api/channels/${channelId}/messages`);
		for (const message of await response.json()) if (!known.has(message.id)) known.set(message.id, message);
		for (const message of known.values()) seen.add(message.id);
	}
	if (channelId !== currentChannelId()) return;
	const guild = currentGuild();
	const channel = guild?.channels.find((candidate) => candidate.id === channelId);
	$('#channel-name').textContent = guild ? `# ${channel?.name ?? ''}` : `@ ${state.world.bot.name}`;
	$('#channel-topic').textContent = guild ? `${guild.name} · type / to use the bot` : 'Direct messages with the bot';

	const container = $('#messages');
	const intro = document.createElement('div');
	intro.className = 'channel-intro';
	const heading = document.createElement('h3');
	heading.textContent = guild ? `Welcome to #${channel?.name ?? ''}!` : state.world.bot.name;
	const text = document.createElement('div');
	text.textContent = guild
		? 'This server lives in a local fake Discord. Type / in the box below to use the bot; switch users at the bottom left.'
		: `This is the beginning of your direct messages with ${state.world.bot.name}.`;
	intro.append(heading, text);
	const visible = [...state.messages.get(channelId).values()].filter(isVisible);
	container.replaceChildren(intro, ...visible.map(messageElement));
	if (guild && !guild.botInGuild) {
		// Discord keeps the server and what the bot wrote in it; only the bot is gone.
		const left = document.createElement('div');
		left.className = 'bot-left';
		left.textContent = `${state.world.bot.name} left this server: its commands are gone from here.`;
		container.append(left);
	}
	scrollToBottom(true);
	renderRail();
}

function isVisible(message) {
	return !message.deleted && !state.dismissed.has(message.id) && (message.visibleTo === null || message.visibleTo === state.me);
}

function messageElement(message) {
	return renderMessage(message, { lookup, avatar, userName, actions });
}

/** A created, edited or deleted message from the fake Discord. */
function upsertMessage(message) {
	const known = state.messages.get(message.channelId);
	if (known) known.set(message.id, message);
	const shownHere = message.channelId === currentChannelId();
	const existing = document.getElementById(`message-${message.id}`);
	if (shownHere) {
		const atBottom = nearBottom();
		if (!isVisible(message)) existing?.remove();
		else if (existing) existing.replaceWith(messageElement(message));
		else $('#messages').append(messageElement(message));
		if (atBottom) scrollToBottom(false);
		return;
	}
	if (!existing && !message.deleted && isVisible(message) && isNew(message)) {
		state.unread.set(message.channelId, (state.unread.get(message.channelId) ?? 0) + 1);
		renderRail();
		renderSidebar();
	}
}

const seen = new Set();
function isNew(message) {
	if (seen.has(message.id)) return false;
	seen.add(message.id);
	return true;
}

function nearBottom() {
	const scroller = $('#message-scroller');
	return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 150;
}

function scrollToBottom(always) {
	const scroller = $('#message-scroller');
	if (always || nearBottom()) requestAnimationFrame(() => (scroller.scrollTop = scroller.scrollHeight));
}

function showNotice(text) {
	const atBottom = nearBottom();
	$('#messages').append(renderLocalNotice(text, { avatar }, state.world.bot));
	if (atBottom) scrollToBottom(false);
}

/** The playground server's answer to a slash command, click, select or modal. */
function handleAnswer(result) {
	if (result.error && result.ok === undefined) return composer.showError(result.error);
	if (result.ok === false) return showNotice(result.error ?? 'The application did not respond');
	if (result.modal) showModal(result.modal, result.interactionId);
}

const actions = {
	click: async (message, customId) => handleAnswer(await post('click', { userId: state.me, messageId: message.id, customId })),
	select: async (message, customId, values) => handleAnswer(await post('select', { userId: state.me, messageId: message.id, customId, values })),
	dismiss: (message) => {
		state.dismissed.add(message.id);
		document.getElementById(`message-${message.id}`)?.remove();
	},
	entityOptions: (type) => {
		const context = composerContext();
		const users = context.entities.users.map((user) => ({ label: user.name, value: user.id }));
		const roles = context.entities.roles.map((role) => ({ label: role.name, value: role.id }));
		const channels = context.entities.channels.map((channel) => ({ label: `#${channel.name}`, value: channel.id }));
		return { 5: users, 6: roles, 7: [...users, ...roles], 8: channels }[type] ?? [];
	}
};

// ----- modals (a command or button answered with a form) -----

function showModal(modal, interactionId) {
	openModal(modal, {
		dialog: $('#modal-dialog'),
		appIcon: avatar(state.world.bot.id),
		lookup,
		entityOptions: actions.entityOptions,
		submit: (values) => post('modal', { userId: state.me, interactionId, values }),
		onAnswer: handleAnswer
	});
}

// ----- set-up -----

const composer = new Composer({
	input: $('#message-input'),
	suggestions: $('#suggestions'),
	error: $('#composer-error'),
	context: composerContext,
	post,
	onAnswer: handleAnswer
});

$('#home').addEventListener('click', () => {
	openDms();
	renderAll();
});

$('#user-switcher').addEventListener('change', (event) => {
	state.me = event.target.value;
	renderAll();
});

$('#member-language').addEventListener('change', async (event) => {
	const result = await post('locale', { userId: state.me, locale: event.target.value });
	if (result.error) return composer.showError(result.error);
	// A language change, as in Discord's settings, leaves what is being typed alone.
	await loadWorld({ keepComposer: true });
	composer.languageChanged();
});

$('#server-language').addEventListener('change', async (event) => {
	const result = await post('guild-locale', { userId: state.me, guildId: state.view.guildId, locale: event.target.value });
	if (result.error) return composer.showError(result.error);
	await loadWorld({ keepComposer: true });
	composer.languageChanged();
});

$('#add-server').addEventListener('click', () => {
	const dialog = $('#new-server-dialog');
	$('#new-server-name').value = `${person(state.me).name}'s server`;
	dialog.showModal();
});
$('#new-server-cancel').addEventListener('click', () => $('#new-server-dialog').close());
$('#new-server-form').addEventListener('submit', async (event) => {
	event.preventDefault();
	$('#new-server-dialog').close();
	const result = await post('guilds', { userId: state.me, name: $('#new-server-name').value });
	if (result.error) return composer.showError(result.error);
	await loadWorld();
	const guild = state.world.guilds.find((candidate) => candidate.id === result.guildId);
	if (guild) {
		openChannel(guild.id, guild.defaultChannelId);
		renderAll();
	}
});

// Relative timestamps ("in 5 minutes") stay current.
setInterval(() => {
	for (const node of document.querySelectorAll('.md-time[data-style="R"]'))
		node.textContent = formatTime(new Date(Number(node.dataset.time) * 1000), 'R');
}, 30_000);

const events = new EventSource('/api/events');
events.addEventListener('message', (event) => upsertMessage(JSON.parse(event.data)));
events.addEventListener('world', () => void loadWorld({ keepComposer: true }));
events.addEventListener('open', () => document.body.classList.add('live'));

await loadWorld();
document.body.dataset.ready = 'true';
