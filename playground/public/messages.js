/**
 * A message as the fake Discord stores it, drawn with the `@skyra/discord-components-core` web components: author,
 * "used /command" header, content, embeds, buttons and select menus (disabled ones too), "Only you can see this".
 */
import { calendarTime, renderMarkdown } from './markdown.js';

const buttonStyles = { 1: 'primary', 2: 'secondary', 3: 'success', 4: 'destructive', 5: 'secondary', 6: 'primary' };
/** Options ticked in multi-choice menus and not sent yet, by message and menu. */
const pendingSelections = new Map();
const ComponentType = { ActionRow: 1, Button: 2, StringSelect: 3, UserSelect: 5, RoleSelect: 6, MentionableSelect: 7, ChannelSelect: 8 };

/**
 * @typedef {object} MessageActions
 * @property {(message: object, customId: string) => void} click
 * @property {(message: object, customId: string, values: string[]) => void} select
 * @property {(message: object) => void} dismiss
 * @property {(type: number) => Array<{ label: string, value: string, description?: string }>} entityOptions options of user/role/channel menus
 */

/**
 * @param {object} message a MessageView from the playground server
 * @param {{ lookup: import('./markdown.js').Lookup, avatar: (userId: string) => string, userName: (id: string) => string, actions: MessageActions }} context
 */
export function renderMessage(message, context) {
	const element = document.createElement('discord-message');
	element.dataset.messageId = message.id;
	element.id = `message-${message.id}`;
	element.setAttribute('author', message.author.name);
	element.setAttribute('avatar', context.avatar(message.author.id));
	if (message.author.bot) element.setAttribute('bot', '');
	element.timestamp = calendarTime(new Date(message.timestamp));
	// Discord marks an edit next to the text; a message of embeds alone shows no marker.
	if (message.edited && message.content && !message.loading) element.setAttribute('edited', '');
	if (message.ephemeral) {
		element.setAttribute('ephemeral', '');
		element.dismissMessageClicked = () => context.actions.dismiss(message);
	}

	if (message.command) {
		const command = document.createElement('discord-command');
		command.slot = 'reply';
		command.setAttribute('type', 'slash_command');
		command.setAttribute('author', context.userName(message.command.userId));
		command.setAttribute('avatar', context.avatar(message.command.userId));
		command.setAttribute('command', message.command.name);
		element.append(command);
	}

	if (message.loading) {
		const thinking = document.createElement('span');
		thinking.className = 'thinking';
		thinking.textContent = `${message.author.name} is thinking...`;
		element.append(thinking);
	} else if (message.content) {
		element.append(renderMarkdown(message.content, context.lookup));
	}

	// As in Discord's client, a file an embed shows (`attachment://name`) appears in the embed only.
	const attachments = message.attachments ?? [];
	const shownInEmbeds = new Set((message.embeds ?? []).map((embed) => embedAttachment(embed, attachments)).filter(Boolean));
	for (const attachment of attachments) if (!shownInEmbeds.has(attachment)) element.append(renderAttachment(attachment));
	for (const embed of message.embeds ?? []) element.append(renderEmbed(embed, context.lookup, embedAttachment(embed, attachments)));
	const rows = (message.components ?? []).filter((row) => row.type === ComponentType.ActionRow);
	if (rows.length > 0) element.append(renderComponents(rows, message, context.actions));
	return element;
}

/** A message the page shows on its own, like Discord's "The application did not respond". */
export function renderLocalNotice(text, context, bot) {
	const element = document.createElement('discord-message');
	element.setAttribute('author', bot.name);
	element.setAttribute('avatar', context.avatar(bot.id));
	element.setAttribute('bot', '');
	element.setAttribute('ephemeral', '');
	element.timestamp = calendarTime(new Date());
	element.dismissMessageClicked = () => element.remove();
	const span = document.createElement('span');
	span.className = 'local-error';
	span.textContent = text;
	element.append(span);
	return element;
}

/** An uploaded file as Discord shows it: an image inline (a click opens it), anything else as name, size and download. */
function renderAttachment(attachment) {
	const wrapper = document.createElement('div');
	wrapper.slot = 'attachments';
	wrapper.className = 'attachment';
	wrapper.dataset.filename = attachment.filename;
	if (attachment.image) {
		const link = document.createElement('a');
		link.href = attachment.url;
		link.target = '_blank';
		link.rel = 'noopener noreferrer';
		const image = document.createElement('img');
		image.className = 'attachment-image';
		image.src = attachment.url;
		image.alt = attachment.filename;
		link.append(image);
		wrapper.append(link);
	}
	const file = document.createElement('div');
	file.className = 'attachment-file';
	const icon = document.createElement('span');
	icon.className = 'attachment-icon';
	icon.setAttribute('aria-hidden', 'true');
	const text = document.createElement('div');
	text.className = 'attachment-text';
	const name = document.createElement('a');
	name.className = 'attachment-name';
	name.href = attachment.url;
	name.download = attachment.filename;
	name.textContent = attachment.filename;
	const size = document.createElement('span');
	size.className = 'attachment-size';
	size.textContent = formatBytes(attachment.size);
	text.append(name, size);
	const download = document.createElement('a');
	download.className = 'attachment-download';
	download.href = attachment.url;
	download.download = attachment.filename;
	download.title = `Download ${attachment.filename}`;
	download.textContent = '⤓';
	file.append(icon, text, download);
	wrapper.append(file);
	return wrapper;
}

function formatBytes(bytes) {
	if (bytes < 1024) return `${bytes} bytes`;
	if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(2)} KB`;
	return `${(bytes / 1024 / 1024).toFixed(2)} MB`;
}

/** The uploaded image an embed shows as its image (`image.url` is `attachment://<filename>`), if any. */
function embedAttachment(embed, attachments) {
	const url = embed.image?.url;
	if (typeof url !== 'string' || !url.startsWith('attachment://')) return undefined;
	const filename = url.slice('attachment://'.length);
	return attachments.find((attachment) => attachment.image && attachment.filename === filename);
}

function renderEmbed(embed, lookup, image) {
	const element = document.createElement('discord-embed');
	element.slot = 'embeds';
	// Only a file this server serves: the page loads no image from outside.
	if (image) {
		element.setAttribute('image', image.url);
		element.dataset.image = image.filename;
	}
	if (typeof embed.color === 'number') element.setAttribute('color', `#${embed.color.toString(16).padStart(6, '0')}`);
	if (embed.title) element.setAttribute('embed-title', embed.title);
	if (embed.author?.name) element.setAttribute('author-name', embed.author.name);
	if (embed.url && /^https?:/.test(embed.url)) element.setAttribute('url', embed.url);

	if (embed.description) {
		const description = document.createElement('discord-embed-description');
		description.slot = 'description';
		description.append(renderMarkdown(embed.description, lookup));
		element.append(description);
	}
	if (Array.isArray(embed.fields) && embed.fields.length > 0) {
		const fields = document.createElement('discord-embed-fields');
		fields.slot = 'fields';
		let inlineRun = 0;
		for (const field of embed.fields) {
			const node = document.createElement('discord-embed-field');
			node.setAttribute('field-title', field.name);
			if (field.inline) {
				node.setAttribute('inline', '');
				node.setAttribute('inline-index', String((inlineRun % 3) + 1));
				inlineRun++;
			} else {
				inlineRun = 0;
			}
			node.append(renderMarkdown(field.value ?? '', lookup));
			fields.append(node);
		}
		element.append(fields);
	}
	if (embed.footer?.text || embed.timestamp) {
		const footer = document.createElement('discord-embed-footer');
		footer.slot = 'footer';
		if (embed.timestamp) footer.timestamp = calendarTime(new Date(embed.timestamp));
		footer.textContent = embed.footer?.text ?? '';
		element.append(footer);
	}
	return element;
}

function renderComponents(rows, message, actions) {
	const attachments = document.createElement('discord-attachments');
	attachments.slot = 'components';
	for (const row of rows) {
		const actionRow = document.createElement('discord-action-row');
		for (const component of row.components ?? []) {
			if (component.type === ComponentType.Button) actionRow.append(renderButton(component, message, actions));
			else if ([3, 5, 6, 7, 8].includes(component.type)) renderSelect(component, message, actions, actionRow);
		}
		attachments.append(actionRow);
	}
	return attachments;
}

function renderButton(component, message, actions) {
	const button = document.createElement('discord-button');
	button.setAttribute('type', buttonStyles[component.style] ?? 'secondary');
	if (component.disabled) button.setAttribute('disabled', '');
	if (component.custom_id) button.dataset.customId = component.custom_id;
	const emoji =
		component.emoji?.name && !component.emoji.id ? `${component.emoji.name} ` : component.emoji?.name ? `:${component.emoji.name}: ` : '';
	button.textContent = `${emoji}${component.label ?? ''}`.trim();
	if (component.style === 5 && component.url) {
		button.setAttribute('url', component.url);
		return button;
	}
	if (!component.disabled && component.custom_id) button.addEventListener('click', () => actions.click(message, component.custom_id));
	return button;
}

/**
 * A select menu. Discord sends the choice when the menu closes; here a single choice is sent at once, and a menu
 * that takes several gets a "Submit" button beside it (the component library draws single-choice menus only).
 * As in Discord, once `max_values` options are ticked the others are disabled and the list says how many fit.
 */
function renderSelect(component, message, actions, actionRow) {
	const menu = document.createElement('discord-string-select-menu');
	menu.dataset.customId = component.custom_id;
	const placeholder = component.placeholder ?? 'Make a selection';
	if (component.disabled) menu.setAttribute('disabled', '');
	const options = component.type === ComponentType.StringSelect ? (component.options ?? []) : actions.entityOptions(component.type);
	const max = component.max_values ?? 1;
	// Kept across re-renders: someone else's vote edits the message while this user is still choosing.
	const key = `${message.id}:${component.custom_id}`;
	const chosen = pendingSelections.get(key) ?? new Set();
	pendingSelections.set(key, chosen);

	const limit = document.createElement('div');
	limit.className = 'select-limit';
	limit.textContent = `You can pick up to ${max} option${max === 1 ? '' : 's'}.`;
	const nodes = options.map((option) => {
		const node = document.createElement('discord-string-select-menu-option');
		node.dataset.value = option.value;
		if (option.description) node.setAttribute('description', option.description);
		if (option.emoji?.name && !option.emoji.id) node.setAttribute('emoji', option.emoji.name);
		node.selectOption = () => {
			if (component.disabled || node.getAttribute('aria-disabled') === 'true') return;
			if (max === 1) {
				actions.select(message, component.custom_id, [option.value]);
				return;
			}
			if (chosen.has(option.value)) chosen.delete(option.value);
			else chosen.add(option.value);
			paint();
		};
		return { node, option };
	});
	const paint = () => {
		const full = max > 1 && chosen.size >= max;
		for (const { node, option } of nodes) {
			node.setAttribute('label', `${chosen.has(option.value) ? '✔ ' : ''}${option.label}`);
			node.setAttribute('aria-disabled', String(full && !chosen.has(option.value)));
		}
		limit.hidden = !full;
		const labels = options.filter((candidate) => chosen.has(candidate.value)).map((candidate) => candidate.label);
		menu.setAttribute('placeholder', labels.length > 0 ? labels.join(', ') : placeholder);
	};
	if (max > 1) menu.append(limit);
	for (const { node } of nodes) menu.append(node);
	paint();
	// The list opens upward when there is no room for it below: below the last message it would run under the box.
	menu.addEventListener('click', () => openTowardsRoom(menu), { capture: true });
	void menu.updateComplete?.then(() => addPlaygroundStyle(menu));
	actionRow.append(menu);
	if (max > 1 && !component.disabled) {
		// Beside the menu, where its open list does not cover it.
		const submit = document.createElement('discord-button');
		submit.setAttribute('type', 'primary');
		submit.dataset.submitFor = component.custom_id;
		submit.textContent = 'Submit';
		submit.title = `Send the selection (up to ${max})`;
		submit.addEventListener('click', () => {
			pendingSelections.delete(key);
			actions.select(message, component.custom_id, [...chosen]);
		});
		actionRow.append(submit);
	}
}

/** The menu fills the width the page gives it (the Submit button sits right beside it), and can open upward. */
function addPlaygroundStyle(menu) {
	const root = menu.shadowRoot;
	if (!root || root.querySelector('style[data-playground]')) return;
	const style = document.createElement('style');
	style.dataset.playground = '';
	style.textContent = [
		'.discord-string-select-menu, .discord-string-select-menu-option-slot { width: 100%; max-width: none; margin: 0; }',
		':host([data-open-up]) .discord-string-select-menu-option-slot { bottom: calc(100% + 4px); }'
	].join('\n');
	root.append(style);
}

/** The library positions the open list below the menu, inside its shadow root: flip it when the scroller cuts it. */
function openTowardsRoom(menu) {
	addPlaygroundStyle(menu);
	const scroller = menu.closest('#message-scroller') ?? document.documentElement;
	const room = scroller.getBoundingClientRect().bottom - menu.getBoundingClientRect().bottom;
	const listHeight = 200;
	menu.toggleAttribute('data-open-up', room < listHeight && menu.getBoundingClientRect().top - scroller.getBoundingClientRect().top > room);
}
