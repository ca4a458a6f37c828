/**
 * A modal the bot opened (interaction callback type 9), drawn as Discord's client draws it: a dialog over the page
 * with the modal's title, each Label's label (a red * when its input is required) and description above its text
 * input or select menu, text displays, and Cancel / Submit. Submit sends the values as Discord does (a text input's
 * text, a menu's chosen values) once they pass the limits the bot set; the dialog closes when the bot answered.
 */
import { renderMarkdown } from './markdown.js';

const ComponentType = { ActionRow: 1, StringSelect: 3, TextInput: 4, UserSelect: 5, RoleSelect: 6, MentionableSelect: 7, ChannelSelect: 8 };
const TextDisplay = 10;
const Label = 18;
const selectTypes = new Set([3, 5, 6, 7, 8]);

/**
 * @typedef {object} ModalContext
 * @property {HTMLDialogElement} dialog
 * @property {string} appIcon the bot's avatar, shown beside the title
 * @property {import('./markdown.js').Lookup} lookup
 * @property {(type: number) => Array<{ label: string, value: string, description?: string }>} entityOptions options of user/role/channel menus
 * @property {(values: Record<string, string | string[]>) => Promise<{ ok?: boolean, error?: string }>} submit sends the submission; resolves with the playground server's answer
 * @property {(result: object) => void} onAnswer the bot's answer, once the dialog closed
 */

/**
 * @param {{ title?: string, custom_id: string, components?: object[] }} modal the callback's `data`
 * @param {ModalContext} context
 */
export function openModal(modal, context) {
	const { dialog } = context;
	const form = dialog.querySelector('#modal-form');
	dialog.dataset.customId = modal.custom_id;
	dialog.querySelector('#modal-title').textContent = modal.title ?? '';
	dialog.querySelector('.modal-app-icon').src = context.appIcon;
	const fields = dialog.querySelector('#modal-fields');
	const error = dialog.querySelector('#modal-error');
	const submitButton = dialog.querySelector('#modal-submit');
	error.hidden = true;
	error.textContent = '';
	submitButton.disabled = false;
	/** @type {Array<{ customId: string, read: () => string | string[] }>} */
	const inputs = [];
	const nodes = [];
	for (const node of modal.components ?? []) {
		if (node.type === Label) nodes.push(field(node.component, node.label, node.description, context, inputs));
		else if (node.type === TextDisplay) nodes.push(textDisplay(node, context));
		// The legacy layout: an action row holding one text input, labelled by the input itself.
		else if (node.type === ComponentType.ActionRow)
			for (const child of node.components ?? []) nodes.push(field(child, child.label, undefined, context, inputs));
	}
	fields.replaceChildren(...nodes);

	form.onsubmit = async (event) => {
		event.preventDefault();
		if (!form.reportValidity()) return;
		submitButton.disabled = true;
		const result = await context.submit(Object.fromEntries(inputs.map((input) => [input.customId, input.read()])));
		submitButton.disabled = false;
		// Discord keeps the form open, with what was typed, when the submission fails.
		if (result.error && result.ok !== true) {
			error.textContent = result.ok === false ? `Something went wrong: ${result.error}. Try again.` : result.error;
			error.hidden = false;
			return;
		}
		dialog.close();
		context.onAnswer(result);
	};
	const cancel = () => dialog.close();
	dialog.querySelector('#modal-cancel').onclick = cancel;
	dialog.querySelector('#modal-close').onclick = cancel;
	dialog.showModal();
	// Nothing is focused at first, as in Discord's client, which focuses the first text input only.
	fields.querySelector('input, textarea')?.focus();
}

let fieldCount = 0;

/** A labelled input: the label (with * when required), the description, then the text input or menu. */
function field(component, label, description, context, inputs) {
	const wrapper = document.createElement('div');
	wrapper.className = 'modal-field';
	if (!component) return wrapper;
	wrapper.dataset.customId = component.custom_id ?? '';
	const id = `modal-input-${++fieldCount}`;
	const caption = document.createElement('label');
	caption.className = 'modal-label';
	caption.htmlFor = id;
	caption.textContent = label ?? component.custom_id ?? '';
	const required = component.required !== false;
	if (required) {
		const star = document.createElement('span');
		star.className = 'modal-required';
		star.textContent = '*';
		star.setAttribute('aria-hidden', 'true');
		caption.append(star);
	}
	wrapper.append(caption);
	if (description) {
		const text = document.createElement('div');
		text.className = 'modal-description';
		text.textContent = description;
		wrapper.append(text);
	}
	if (component.type === ComponentType.TextInput) wrapper.append(textInput(component, id, required, inputs));
	else if (selectTypes.has(component.type)) wrapper.append(selectMenu(component, id, required, context, inputs));
	else {
		const unsupported = document.createElement('div');
		unsupported.className = 'modal-description';
		unsupported.textContent = `(component type ${component.type} is not drawn by the playground)`;
		wrapper.append(unsupported);
	}
	return wrapper;
}

function textInput(component, id, required, inputs) {
	const input = document.createElement(component.style === 2 ? 'textarea' : 'input');
	input.id = id;
	input.name = component.custom_id;
	input.required = required;
	if (component.placeholder) input.placeholder = component.placeholder;
	if (component.min_length) input.minLength = component.min_length;
	if (component.max_length) input.maxLength = component.max_length;
	if (component.value) input.value = component.value;
	if (component.style === 2) input.rows = 4;
	inputs.push({ customId: component.custom_id, read: () => input.value });
	return input;
}

/**
 * A select menu, a native one so the browser's keyboard and screen-reader support come with it. An optional menu
 * starts with its placeholder as a choice (Discord lets you clear it); a required one must be picked. A menu that
 * takes several values is a list box, held to `min_values..max_values`.
 */
function selectMenu(component, id, required, context, inputs) {
	const select = document.createElement('select');
	select.id = id;
	select.name = component.custom_id;
	select.className = 'modal-select';
	if (component.disabled) select.disabled = true;
	const options = component.type === ComponentType.StringSelect ? (component.options ?? []) : context.entityOptions(component.type);
	const defaults = new Set(
		component.type === ComponentType.StringSelect
			? options.filter((option) => option.default).map((option) => option.value)
			: (component.default_values ?? []).map((entry) => entry.id)
	);
	const min = component.min_values ?? 1;
	const max = component.max_values ?? 1;
	const placeholder = component.placeholder ?? 'Make a selection';
	if (max > 1) {
		select.multiple = true;
		select.size = Math.min(options.length, 6);
		select.title = `${placeholder} (${min === max ? max : `${min}–${max}`})`;
	} else {
		const empty = document.createElement('option');
		empty.value = '';
		empty.textContent = placeholder;
		empty.className = 'modal-placeholder';
		// A required menu cannot go back to nothing.
		if (required) empty.disabled = true;
		select.append(empty);
		select.required = required;
	}
	for (const option of options) {
		const node = document.createElement('option');
		node.value = option.value;
		const emoji = option.emoji?.name && !option.emoji.id ? `${option.emoji.name} ` : '';
		node.textContent = `${emoji}${option.label}`;
		if (option.description) node.title = option.description;
		node.selected = defaults.has(option.value);
		select.append(node);
	}
	if (max <= 1 && !options.some((option) => defaults.has(option.value))) select.value = '';
	const read = () => [...select.selectedOptions].map((option) => option.value).filter((value) => value !== '');
	const check = () => {
		const count = read().length;
		const allowed = count === 0 ? !required || min === 0 : count >= min && count <= max;
		select.setCustomValidity(allowed ? '' : `Pick ${min === max ? min : `${min} to ${max}`} option${max === 1 ? '' : 's'}.`);
	};
	select.addEventListener('change', check);
	check();
	inputs.push({ customId: component.custom_id, read });
	return select;
}

function textDisplay(node, context) {
	const text = document.createElement('div');
	text.className = 'modal-text';
	text.append(renderMarkdown(node.content ?? '', context.lookup));
	return text;
}
