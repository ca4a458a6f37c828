/**
 * Discord's message markdown, turned into DOM nodes (never HTML strings: message text is untrusted).
 * Covers what bots commonly send: **bold**, *italic*, __underline__, ~~strike~~, `code`, code blocks, > quotes,
 * # headings, - lists, links, mentions (<@user>, <@&role>, <#channel>) and timestamps (<t:unix:style>).
 */

/**
 * @typedef {object} Lookup
 * @property {(id: string) => string | undefined} userName
 * @property {(id: string) => { name: string, color: number } | undefined} role
 * @property {(id: string) => string | undefined} channelName
 * @property {(guildId: string, channelId: string, messageId: string) => void} jump
 */

/**
 * @param {string} text
 * @param {Lookup} lookup
 * @returns {DocumentFragment}
 */
export function renderMarkdown(text, lookup) {
	const fragment = document.createDocumentFragment();
	const parts = text.split(/```(?:[a-z0-9+-]*\n)?([\s\S]*?)```/i);
	parts.forEach((part, index) => {
		if (index % 2 === 1) {
			const pre = element('pre', 'md-codeblock');
			pre.textContent = part.replace(/\n$/, '');
			fragment.append(pre);
			return;
		}
		renderLines(part, lookup, fragment);
	});
	return fragment;
}

function renderLines(text, lookup, parent) {
	const lines = text.split('\n');
	lines.forEach((line, index) => {
		let container = parent;
		let rest = line;
		const quote = /^>\s?(.*)$/.exec(rest);
		if (quote) {
			container = element('div', 'md-quote');
			parent.append(container);
			rest = quote[1];
		}
		const heading = /^(#{1,3})\s+(.*)$/.exec(rest);
		if (heading) {
			const block = element('div', `md-h${heading[1].length}`);
			block.append(renderInline(heading[2], lookup));
			container.append(block);
			return;
		}
		const bullet = /^(\s*)[-*]\s+(.*)$/.exec(rest);
		if (bullet) {
			const item = element('div', 'md-li');
			item.append(document.createTextNode('• '), renderInline(bullet[2], lookup));
			container.append(item);
			return;
		}
		container.append(renderInline(rest, lookup));
		if (!quote && index < lines.length - 1) container.append(document.createElement('br'));
	});
}

const inlinePatterns = [
	{ kind: 'escape', regex: /\\([*_~`|<>#\\-])/ },
	{ kind: 'code', regex: /`([^`]+)`/ },
	{ kind: 'bold', regex: /\*\*([\s\S]+?)\*\*/ },
	{ kind: 'underline', regex: /__([\s\S]+?)__/ },
	{ kind: 'italic', regex: /\*([^*\s][\s\S]*?)\*|\b_([^_]+)_\b/ },
	{ kind: 'strike', regex: /~~([\s\S]+?)~~/ },
	{ kind: 'spoiler', regex: /\|\|([\s\S]+?)\|\|/ },
	{ kind: 'user', regex: /<@!?(\d{17,20})>/ },
	{ kind: 'role', regex: /<@&(\d{17,20})>/ },
	{ kind: 'channel', regex: /<#(\d{17,20})>/ },
	{ kind: 'time', regex: /<t:(-?\d{1,13})(?::([tTdDfFR]))?>/ },
	{ kind: 'masked', regex: /\[([^\]]+)\]\(<?(https?:\/\/[^\s)>]+)>?\)/ },
	{ kind: 'link', regex: /<?(https?:\/\/[^\s<>]+[^\s<>.,;:!?)'"])>?/ }
];

/** @returns {DocumentFragment} */
function renderInline(text, lookup) {
	const fragment = document.createDocumentFragment();
	let rest = text;
	while (rest.length > 0) {
		let best = null;
		for (const pattern of inlinePatterns) {
			const match = pattern.regex.exec(rest);
			if (match && (best === null || match.index < best.match.index)) best = { kind: pattern.kind, match };
		}
		if (best === null) {
			fragment.append(document.createTextNode(rest));
			break;
		}
		if (best.match.index > 0) fragment.append(document.createTextNode(rest.slice(0, best.match.index)));
		fragment.append(renderToken(best.kind, best.match, lookup));
		rest = rest.slice(best.match.index + best.match[0].length);
	}
	return fragment;
}

function renderToken(kind, match, lookup) {
	switch (kind) {
		case 'escape':
			return document.createTextNode(match[1]);
		case 'code': {
			const code = element('code', 'md-code');
			code.textContent = match[1];
			return code;
		}
		case 'bold':
			return wrap('strong', match[1], lookup);
		case 'underline':
			return wrap('u', match[1], lookup);
		case 'italic':
			return wrap('em', match[1] ?? match[2], lookup);
		case 'strike':
			return wrap('s', match[1], lookup);
		case 'spoiler':
			return wrap('span', match[1], lookup);
		case 'user': {
			const mention = document.createElement('discord-mention');
			mention.setAttribute('type', 'user');
			mention.textContent = lookup.userName(match[1]) ?? `unknown-user`;
			return mention;
		}
		case 'role': {
			const role = lookup.role(match[1]);
			const mention = document.createElement('discord-mention');
			mention.setAttribute('type', 'role');
			if (role && role.color) mention.setAttribute('color', `#${role.color.toString(16).padStart(6, '0')}`);
			mention.textContent = role?.name ?? 'deleted-role';
			return mention;
		}
		case 'channel': {
			const mention = document.createElement('discord-mention');
			mention.setAttribute('type', 'channel');
			mention.textContent = lookup.channelName(match[1]) ?? 'unknown';
			return mention;
		}
		case 'time':
			return renderTime(Number(match[1]), match[2] ?? 'f');
		case 'masked':
			return link(match[2], match[1], lookup);
		case 'link':
			return link(match[1], match[1], lookup);
		default:
			return document.createTextNode(match[0]);
	}
}

function wrap(tag, inner, lookup) {
	const node = document.createElement(tag);
	node.append(renderInline(inner, lookup));
	return node;
}

/**
 * A link to a Discord message jumps to it in the page (the page never opens discord.com). Written out bare, it is a
 * compact pill naming the channel, as Discord draws it; a masked link keeps its label.
 */
function link(href, label, lookup) {
	const jump = /^https:\/\/(?:ptb\.|canary\.)?discord(?:app)?\.com\/channels\/(\d+|@me)\/(\d+)\/(\d+)$/.exec(href);
	const anchor = document.createElement('a');
	anchor.textContent = label;
	if (jump) {
		if (label === href) {
			anchor.className = 'md-message-link';
			const place = jump[1] === '@me' ? 'Direct Messages' : `#${lookup.channelName(jump[2]) ?? 'unknown'}`;
			anchor.replaceChildren(
				element('span', 'md-message-link-channel'),
				element('span', 'md-message-link-arrow'),
				element('span', 'md-message-link-icon')
			);
			anchor.children[0].textContent = place;
			anchor.children[1].textContent = '›';
			anchor.children[2].textContent = '💬';
			anchor.setAttribute('aria-label', `Message in ${place}`);
		}
		anchor.href = '#';
		anchor.title = 'Jump to the message';
		anchor.addEventListener('click', (event) => {
			event.preventDefault();
			lookup.jump(jump[1], jump[2], jump[3]);
		});
		return anchor;
	}
	anchor.href = href;
	anchor.target = '_blank';
	anchor.rel = 'noopener noreferrer';
	return anchor;
}

const timeFormats = {
	t: { timeStyle: 'short' },
	T: { timeStyle: 'medium' },
	d: { dateStyle: 'short' },
	D: { dateStyle: 'long' },
	f: { dateStyle: 'long', timeStyle: 'short' },
	F: { dateStyle: 'full', timeStyle: 'short' }
};

function renderTime(seconds, style) {
	const date = new Date(seconds * 1000);
	const span = element('span', 'md-time');
	span.title = date.toLocaleString();
	span.dataset.time = String(seconds);
	span.dataset.style = style;
	span.textContent = formatTime(date, style);
	return span;
}

/** A message's time as Discord's client writes it: "Today at 7:56 AM", "Yesterday at ...", or the date and time. */
export function calendarTime(date, now = new Date()) {
	const time = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' }).format(date);
	const startOfDay = (day) => new Date(day.getFullYear(), day.getMonth(), day.getDate()).getTime();
	const days = Math.round((startOfDay(now) - startOfDay(date)) / 86_400_000);
	if (days === 0) return `Today at ${time}`;
	if (days === 1) return `Yesterday at ${time}`;
	return `${new Intl.DateTimeFormat(undefined, { dateStyle: 'short' }).format(date)} ${time}`;
}

export function formatTime(date, style) {
	if (style === 'R') return relative(date);
	return new Intl.DateTimeFormat(undefined, timeFormats[style] ?? timeFormats.f).format(date);
}

function relative(date) {
	const seconds = Math.round((date.getTime() - Date.now()) / 1000);
	const units = [
		['year', 31_536_000],
		['month', 2_592_000],
		['day', 86_400],
		['hour', 3_600],
		['minute', 60],
		['second', 1]
	];
	const format = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
	for (const [unit, size] of units) {
		if (Math.abs(seconds) >= size || unit === 'second') return format.format(Math.round(seconds / size), unit);
	}
	return '';
}

function element(tag, className) {
	const node = document.createElement(tag);
	node.className = className;
	return node;
}
