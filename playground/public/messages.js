/**
 * A message as the fake Discord stores it, drawn with the `@skyra/discord-components-core` web components: author,
 * "used /command" header, content, embeds, buttons and select menus (disabled ones too), "Only you can see this".
 */
import { renderMarkdown } from './markdown.js';

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
	element.timestamp = new Date(message.timestamp);
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

	for (const embed of message.embeds ?? []) element.append(renderEmbed(embed, context.lookup));
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
	element.timestamp = new Date();
	element.dismissMessageClicked = () => element.remove();
	const span = document.createElement('span');
	span.className = 'local-error';
	span.textContent = text;
	element.append(span);
	return element;
}

function renderEmbed(embed, lookup) {
	const element = document.createElement('discord-embed');
	element.slot = 'embeds';
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
		if (embed.timestamp) footer.timestamp = new Date(embed.timestamp);
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
 */
function renderSelect(component, message, actions, actionRow) {
	const menu = document.createElement('discord-string-select-menu');
	menu.dataset.customId = component.custom_id;
	const placeholder = component.placeholder ?? 'Make a selection';
	menu.setAttribute('placeholder', placeholder);
	if (component.disabled) menu.setAttribute('disabled', '');
	const options = component.type === ComponentType.StringSelect ? (component.options ?? []) : actions.entityOptions(component.type);
	const max = component.max_values ?? 1;
	// Kept across re-renders: someone else's vote edits the message while this user is still choosing.
	const key = `${message.id}:${component.custom_id}`;
	const chosen = pendingSelections.get(key) ?? new Set();
	pendingSelections.set(key, chosen);
	for (const option of options) {
		const node = document.createElement('discord-string-select-menu-option');
		node.setAttribute('label', `${chosen.has(option.value) ? '✔ ' : ''}${option.label}`);
		node.dataset.value = option.value;
		if (option.description) node.setAttribute('description', option.description);
		if (option.emoji?.name && !option.emoji.id) node.setAttribute('emoji', option.emoji.name);
		node.selectOption = () => {
			if (component.disabled) return;
			if (max === 1) {
				actions.select(message, component.custom_id, [option.value]);
				return;
			}
			if (chosen.has(option.value)) chosen.delete(option.value);
			else if (chosen.size < max) chosen.add(option.value);
			node.setAttribute('label', `${chosen.has(option.value) ? '✔ ' : ''}${option.label}`);
			const labels = options.filter((candidate) => chosen.has(candidate.value)).map((candidate) => candidate.label);
			menu.setAttribute('placeholder', labels.length > 0 ? labels.join(', ') : placeholder);
		};
		menu.append(node);
	}
	const chosenLabels = options.filter((candidate) => chosen.has(candidate.value)).map((candidate) => candidate.label);
	if (chosenLabels.length > 0) menu.setAttribute('placeholder', chosenLabels.join(', '));
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
