/**
 * The message box: slash commands typed as `/poll create question: Lunch? options: Pizza | Sushi`, with
 * suggestions built from the commands the bot registered (names, subcommands, options with their types and
 * choices) and, for options the bot autocompletes, the bot's own answers to real autocomplete interactions.
 */

const OptionType = {
	Subcommand: 1,
	SubcommandGroup: 2,
	String: 3,
	Integer: 4,
	Boolean: 5,
	User: 6,
	Channel: 7,
	Role: 8,
	Mentionable: 9,
	Number: 10,
	Attachment: 11
};
const typeNames = { 3: 'text', 4: 'whole number', 5: 'true/false', 6: 'user', 7: 'channel', 8: 'role', 9: 'user or role', 10: 'number', 11: 'file' };

/**
 * @typedef {object} ComposerContext
 * @property {string} userId
 * @property {string | null} guildId
 * @property {string} channelId
 * @property {string} placeholder
 * @property {object[]} commands the chat-input commands this user may use here, as their client shows them: `name` and
 *   `description` in their language, `apiName` the registered name (sent in the interaction); likewise their options
 * @property {{ users: Entity[], roles: Entity[], channels: Entity[] }} entities
 *
 * @typedef {{ id: string, name: string, type?: number }} Entity
 */

export class Composer {
	/**
	 * @param {object} options
	 * @param {HTMLInputElement} options.input
	 * @param {HTMLElement} options.suggestions
	 * @param {HTMLElement} options.error
	 * @param {() => ComposerContext} options.context
	 * @param {(path: string, body: object) => Promise<any>} options.post
	 * @param {(result: any) => void} options.onAnswer called with the playground server's answer to a slash command
	 */
	constructor(options) {
		this.input = options.input;
		this.box = options.suggestions;
		this.errorBox = options.error;
		this.context = options.context;
		this.post = options.post;
		this.onAnswer = options.onAnswer;
		/** Choice names the user picked, by option name: the name is shown, the value is sent. */
		this.picked = new Map();
		this.items = [];
		this.highlighted = -1;
		this.autocompleteTimer = undefined;
		this.autocompleteSequence = 0;
		this.autocompleteCache = new Map();

		this.input.addEventListener('input', () => this.refresh());
		// Focus comes back after a send: a refusal shown then must stay until the text changes.
		this.input.addEventListener('focus', () => this.refresh({ keepError: true }));
		// Later, so a click on a suggestion lands first; not at all if the box has the focus again by then.
		this.input.addEventListener('blur', () =>
			setTimeout(() => {
				if (document.activeElement !== this.input) this.hide();
			}, 150)
		);
		this.input.addEventListener('keydown', (event) => this.keydown(event));
		this.input.form?.addEventListener('submit', (event) => event.preventDefault());
	}

	/** The channel or the acting user changed. */
	reset() {
		this.input.value = '';
		this.input.placeholder = this.context().placeholder;
		this.picked.clear();
		this.autocompleteCache.clear();
		this.showError('');
		this.hide();
	}

	/** The member's language changed: suggestions already fetched from the bot were in the old one. */
	languageChanged() {
		this.autocompleteCache.clear();
		if (!this.box.hidden) this.refresh();
	}

	// ----- parsing -----

	/** Where the text stands: typing the command, a subcommand, an option name or an option value. */
	parse(text) {
		if (!text.startsWith('/')) return { mode: 'text' };
		const { commands } = this.context();
		let rest = text.slice(1);
		const first = /^(\S*)(\s*)/.exec(rest);
		if (!first[2]) return { mode: 'command', partial: first[1] };
		const command = commands.find((candidate) => named(candidate, first[1]));
		if (!command) return { mode: 'unknown', name: first[1] };
		rest = rest.slice(first[0].length);

		let definitions = command.options ?? [];
		/** As shown; `apiPath` as sent (the registered names). */
		const path = [command.name];
		const apiPath = [apiName(command)];
		/** The command or subcommand the options belong to: its description is the one to show. */
		let leaf = command;
		while (definitions.some(isSubcommand)) {
			const choices = definitions.filter(isSubcommand);
			const next = /^(\S*)(\s*)/.exec(rest);
			const start = text.length - rest.length;
			if (!next[2]) return { mode: 'sub', command, path, partial: next[1], choices, start };
			const sub = choices.find((candidate) => named(candidate, next[1]));
			if (!sub) return { mode: 'badsub', command, path, name: next[1], choices };
			path.push(sub.name);
			apiPath.push(apiName(sub));
			leaf = sub;
			definitions = sub.options ?? [];
			rest = rest.slice(next[0].length);
		}

		const base = text.length - rest.length;
		const markers = [];
		if (definitions.length > 0) {
			// Longest first: `umfrage` must not stop at a shorter name it starts with.
			const names = [...new Set(definitions.flatMap((definition) => [definition.name, apiName(definition)]))]
				.sort((a, b) => b.length - a.length)
				.map((name) => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
				.join('|');
			const marker = new RegExp(`(^|\\s)(${names}):`, 'gu');
			for (const match of rest.matchAll(marker)) {
				const definition = definitions.find((candidate) => candidate.name === match[2] || apiName(candidate) === match[2]);
				if (markers.some((seen) => seen.definition === definition)) continue;
				markers.push({ definition, nameStart: match.index + match[1].length, valueStart: match.index + match[0].length });
			}
		}
		const given = markers.map((marker, index) => ({
			definition: marker.definition,
			raw: rest.slice(marker.valueStart, markers[index + 1]?.nameStart ?? rest.length),
			valueStart: base + marker.valueStart
		}));
		const beforeOptions = rest.slice(0, markers[0]?.nameStart ?? rest.length);
		// `colour: red` where the command has no option colour: flagged, never swallowed into the previous value.
		const unknownNames = [...rest.matchAll(/(^|\s)([\p{Ll}\p{Lo}\p{N}_-]{1,32}):(?=\s|$)/gu)]
			.map((match) => match[2])
			.filter((name) => !definitions.some((definition) => definition.name === name || apiName(definition) === name));
		return { mode: 'options', command, leaf, path, apiPath, definitions, given, base, partialName: beforeOptions.trim(), unknownNames };
	}

	// ----- suggestions -----

	refresh({ keepError = false } = {}) {
		const text = this.input.value;
		const state = this.parse(text);
		if (!keepError) this.showError('');
		const items = [];
		let title = '';
		let hint = '';
		let highlight = false;

		switch (state.mode) {
			case 'text':
				if (text.length > 0) hint = 'The bot only answers slash commands: start with / to see them.';
				break;
			case 'command': {
				const { commands } = this.context();
				title = 'Commands';
				for (const command of commands.filter((candidate) => startsWith(candidate, state.partial))) {
					items.push({
						name: `/${command.name}`,
						description: command.description,
						exact: named(command, state.partial),
						apply: () => this.setText(`/${command.name} `)
					});
				}
				if (commands.length === 0) hint = 'The bot registered no command you can use here.';
				else if (items.length === 0) hint = `No command starts with /${state.partial}.`;
				highlight = true;
				break;
			}
			case 'unknown':
				hint = `The bot has no command /${state.name} here.`;
				break;
			case 'sub':
			case 'badsub':
				title = `/${state.path.join(' ')}`;
				for (const choice of state.choices.filter((candidate) => state.mode === 'badsub' || startsWith(candidate, state.partial))) {
					items.push({
						name: choice.name,
						description: choice.description,
						tag: choice.type === OptionType.SubcommandGroup ? 'group' : '',
						exact: state.mode === 'sub' && named(choice, state.partial),
						apply: () => this.setText(`/${[...state.path, choice.name].join(' ')} `)
					});
				}
				if (state.mode === 'badsub') hint = `"${state.name}" is not a subcommand of /${state.path.join(' ')}.`;
				highlight = true;
				break;
			case 'options':
				({ title, hint, highlight } = this.optionSuggestions(state, items));
				break;
		}
		this.show(title, items, hint, highlight);
	}

	optionSuggestions(state, items) {
		const usedNames = new Set(state.given.map((option) => option.definition.name));
		const remaining = state.definitions
			.filter((definition) => !usedNames.has(definition.name))
			.sort((a, b) => Number(Boolean(b.required)) - Number(Boolean(a.required)));
		const addNames = (partial, replaceFrom) => {
			for (const definition of remaining.filter((candidate) => startsWith(candidate, partial))) {
				items.push({
					name: `${definition.name}:`,
					description: definition.description,
					tag: `${typeNames[definition.type] ?? ''}${definition.required ? ' · required' : ''}`,
					apply: () => {
						const before = this.input.value.slice(0, replaceFrom).replace(/\s*$/, '');
						this.setText(`${before}${before.endsWith('/') ? '' : ' '}${definition.name}: `);
					}
				});
			}
		};

		if (state.unknownNames.length > 0) return { title: `/${state.path.join(' ')}`, hint: unknownOptionText(state), highlight: false };
		if (state.definitions.length === 0)
			return { title: `/${state.path.join(' ')}`, hint: `${state.leaf.description} · press Enter to send`, highlight: false };
		if (state.given.length === 0) {
			addNames(state.partialName, state.base);
			const missingRequired = remaining.some((definition) => definition.required);
			return {
				title: `/${state.path.join(' ')} options`,
				hint: items.length === 0 ? `No option starts with "${state.partialName}".` : '',
				highlight: state.partialName.length > 0 || missingRequired
			};
		}

		const current = state.given[state.given.length - 1];
		const { definition } = current;
		const value = current.raw.trim();
		const picked = this.picked.get(definition.name);
		const exact = picked !== undefined && picked.name === value;
		let hint = describeOption(definition);
		let valueItems = [];

		if (definition.choices?.length) {
			valueItems = definition.choices
				.filter((choice) => choice.name.toLowerCase().includes(value.toLowerCase()) || String(choice.value) === value)
				.map((choice) => this.choiceItem(current, choice));
		} else if (definition.autocomplete) {
			const answer = this.autocomplete(state, current);
			if (answer === null) hint = `Asking the bot for suggestions for ${definition.name}...`;
			else {
				valueItems = answer.map((choice) => this.choiceItem(current, choice));
				if (valueItems.length === 0)
					hint = `The bot suggests nothing for ${definition.name}${value ? ` matching "${value}"` : ''}. ${describeOption(definition)}`;
			}
		} else if (definition.type === OptionType.Boolean) {
			valueItems = ['True', 'False']
				.filter((name) => name.toLowerCase().startsWith(value.toLowerCase()))
				.map((name) => this.choiceItem(current, { name, value: name === 'True' }));
		} else if ([OptionType.User, OptionType.Role, OptionType.Mentionable, OptionType.Channel].includes(definition.type)) {
			valueItems = this.entities(definition)
				.filter((entity) => entity.name.toLowerCase().includes(value.toLowerCase()))
				.map((entity) => this.choiceItem(current, { name: entity.name, value: entity.id }, entity.kind));
		}
		items.push(...valueItems);

		// A word typed after a value may be the start of the next option's name.
		const lastWord = /(\S*)$/.exec(current.raw)[1];
		const typingName =
			value.length > 0 &&
			(current.raw.endsWith(' ') ||
				remaining.some((candidate) => lastWord.length > 0 && startsWith(candidate, lastWord) && value !== lastWord));
		if (typingName || exact)
			addNames(
				current.raw.endsWith(' ') ? '' : lastWord,
				current.raw.endsWith(' ') ? this.input.value.length : this.input.value.length - lastWord.length
			);

		// A value typed out in full counts as picked: Enter then sends instead of picking it again.
		const typedInFull = valueItems.find((item) => item.name.toLowerCase() === value.toLowerCase());
		typedInFull?.remember();
		const highlight = valueItems.length > 0 && !exact && !typedInFull && !(current.raw.endsWith(' ') && value.length > 0);
		return {
			title: `${definition.name}: ${typeNames[definition.type] ?? ''}`,
			hint: items.length === 0 || valueItems.length === 0 ? hint : '',
			highlight
		};
	}

	choiceItem(current, choice, tag = '') {
		const remember = () => this.picked.set(current.definition.name, { name: choice.name, value: choice.value });
		const typed = current.raw.trim().toLowerCase();
		return {
			name: choice.name,
			// Typed as the bot's value (`poll: 1`) or as the choice's name: nothing to complete.
			exact: typed.length > 0 && (choice.name.toLowerCase() === typed || String(choice.value).toLowerCase() === typed),
			description: String(choice.value) === choice.name || typeof choice.value === 'boolean' ? '' : String(choice.value),
			tag,
			remember,
			apply: () => {
				remember();
				this.setText(`${this.input.value.slice(0, current.valueStart).replace(/\s*$/, '')} ${choice.name} `);
			}
		};
	}

	entities(definition) {
		const { entities } = this.context();
		const users = entities.users.map((user) => ({ ...user, kind: 'user' }));
		const roles = entities.roles.map((role) => ({ ...role, kind: 'role' }));
		switch (definition.type) {
			case OptionType.User:
				return users;
			case OptionType.Role:
				return roles;
			case OptionType.Mentionable:
				return [...users, ...roles];
			case OptionType.Channel:
				return entities.channels
					.filter((channel) => !definition.channel_types || definition.channel_types.includes(channel.type))
					.map((channel) => ({ ...channel, kind: 'channel' }));
			default:
				return [];
		}
	}

	/** The bot's answer for the focused option, or null while it is being asked (the suggestions refresh then). */
	autocomplete(state, current) {
		const options = this.convertOptions(state, { lenient: true, focused: current.definition.name }).options;
		const focusedValue = current.raw.trim();
		const key = JSON.stringify([state.path, current.definition.name, focusedValue, options]);
		if (this.autocompleteCache.has(key)) return this.autocompleteCache.get(key);
		clearTimeout(this.autocompleteTimer);
		const sequence = ++this.autocompleteSequence;
		this.autocompleteTimer = setTimeout(async () => {
			const { userId, guildId, channelId } = this.context();
			const result = await this.post('autocomplete', {
				userId,
				guildId,
				channelId,
				command: state.apiPath.join(' '),
				options: { ...options, [apiName(current.definition)]: focusedValue },
				focused: apiName(current.definition)
			}).catch((error) => ({ error: error.message }));
			this.autocompleteCache.set(key, Array.isArray(result.choices) ? result.choices : []);
			if (sequence === this.autocompleteSequence) this.refresh();
		}, 200);
		return null;
	}

	// ----- sending -----

	/** Option values typed as text, converted to what Discord sends for each option type. */
	convertOptions(state, { lenient = false, focused = null } = {}) {
		const options = {};
		const errors = [];
		for (const { definition, raw } of state.given) {
			if (definition.name === focused) continue;
			const text = raw.trim();
			const result = this.convert(definition, text);
			if (result.error) errors.push(result.error);
			else options[apiName(definition)] = result.value;
		}
		if (!lenient) {
			const given = new Set(state.given.map((option) => option.definition.name));
			const missing = state.definitions.filter((definition) => definition.required && !given.has(definition.name));
			if (missing.length > 0)
				errors.push(`Missing required option${missing.length > 1 ? 's' : ''}: ${missing.map((definition) => definition.name).join(', ')}.`);
		}
		return { options, errors };
	}

	convert(definition, typed) {
		const result = this.convertValue(definition, typed.replaceAll('\\:', ':'));
		return result.error ? result : (checkLimits(definition, result.value) ?? result);
	}

	convertValue(definition, text) {
		if (text === '') return { error: `${definition.name} has no value.` };
		const picked = this.picked.get(definition.name);
		if (picked && picked.name === text) return { value: picked.value };
		if (definition.choices?.length) {
			const choice = definition.choices.find(
				(candidate) => candidate.name.toLowerCase() === text.toLowerCase() || String(candidate.value) === text
			);
			return choice
				? { value: choice.value }
				: { error: `${definition.name} must be one of: ${definition.choices.map((candidate) => candidate.name).join(', ')}.` };
		}
		switch (definition.type) {
			case OptionType.Integer:
				return /^-?\d+$/.test(text) ? { value: Number(text) } : { error: `${definition.name} must be a whole number.` };
			case OptionType.Number:
				return Number.isFinite(Number(text)) ? { value: Number(text) } : { error: `${definition.name} must be a number.` };
			case OptionType.Boolean:
				if (/^(true|yes|on|1)$/i.test(text)) return { value: true };
				if (/^(false|no|off|0)$/i.test(text)) return { value: false };
				return { error: `${definition.name} must be True or False.` };
			case OptionType.User:
			case OptionType.Role:
			case OptionType.Mentionable:
			case OptionType.Channel: {
				const id = /^<?[@#]?[!&]?(\d{17,20})>?$/.exec(text)?.[1];
				if (id) return { value: id };
				const entity = this.entities(definition).find((candidate) => candidate.name.toLowerCase() === text.toLowerCase());
				return entity ? { value: entity.id } : { error: `No ${typeNames[definition.type]} called "${text}" here.` };
			}
			case OptionType.Attachment:
				return { error: 'File options cannot be used in the playground.' };
			default:
				return { value: text };
		}
	}

	/** Whether the text as typed is a complete command with valid options (what Enter would send). */
	sendable() {
		const state = this.parse(`${this.input.value.trimEnd()} `);
		if (state.mode !== 'options' || state.partialName || state.unknownNames.length > 0) return false;
		return this.convertOptions(state).errors.length === 0;
	}

	async send() {
		// A trailing space ends the last word: `/ping` and `/poll create` are complete as typed.
		const state = this.parse(this.input.value.startsWith('/') ? `${this.input.value.trimEnd()} ` : this.input.value);
		if (state.mode === 'text') return this.showError(this.input.value ? 'The bot only answers slash commands: type / to see them.' : '');
		if (state.mode === 'command') return this.showError(`Pick a command: no command /${state.partial}.`);
		if (state.mode === 'unknown') return this.showError(`The bot has no command /${state.name} here.`);
		if (state.mode === 'sub' || state.mode === 'badsub')
			return this.showError(`/${state.path.join(' ')} needs a subcommand: ${state.choices.map((choice) => choice.name).join(', ')}.`);
		if (state.unknownNames.length > 0) return this.showError(unknownOptionText(state));
		if (state.partialName) return this.showError(`"${state.partialName}" is not an option of /${state.path.join(' ')}.`);
		const { options, errors } = this.convertOptions(state);
		if (errors.length > 0) return this.showError(errors.join(' '));

		const { userId, guildId, channelId } = this.context();
		const command = state.apiPath.join(' ');
		this.hide();
		this.input.disabled = true;
		try {
			const result = await this.post('slash', { userId, guildId, channelId, command, options });
			// Refused by Discord itself (the fake): the text stays, to be corrected, and says why.
			if (result.error && result.ok === undefined) return this.showError(`Discord refused the command: ${result.error}`);
			this.input.value = '';
			this.picked.clear();
			this.onAnswer(result);
		} catch (error) {
			this.showError(error.message);
		} finally {
			this.input.disabled = false;
			this.input.focus();
		}
	}

	// ----- view -----

	keydown(event) {
		const open = !this.box.hidden && this.items.length > 0;
		if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
			if (!open) return;
			event.preventDefault();
			const step = event.key === 'ArrowDown' ? 1 : -1;
			this.highlighted = (this.highlighted + step + this.items.length) % this.items.length;
			this.paint();
		} else if (event.key === 'Tab') {
			if (!open) return;
			event.preventDefault();
			this.items[Math.max(this.highlighted, 0)].apply();
		} else if (event.key === 'Enter') {
			event.preventDefault();
			const item = open && this.highlighted >= 0 ? this.items[this.highlighted] : null;
			// A highlighted suggestion that only repeats what is typed does not cost a second Enter.
			if (item?.exact) item.remember?.();
			if (item && !(item.exact && this.sendable())) return item.apply();
			void this.send();
		} else if (event.key === 'Escape') {
			this.hide();
		}
	}

	setText(text) {
		this.input.value = text;
		this.input.focus();
		this.input.setSelectionRange(text.length, text.length);
		this.refresh();
	}

	show(title, items, hint, highlight) {
		this.items = items;
		// What is typed already, if it is among the suggestions; otherwise the first one.
		this.highlighted =
			highlight && items.length > 0
				? Math.max(
						items.findIndex((item) => item.exact),
						0
					)
				: -1;
		this.title = title;
		this.hint = hint;
		this.paint();
	}

	paint() {
		const box = this.box;
		box.replaceChildren();
		if (this.items.length === 0 && !this.hint) {
			box.hidden = true;
			return;
		}
		if (this.title) box.append(element('div', 'suggestion-title', this.title));
		this.items.forEach((item, index) => {
			const row = element('div', `suggestion${index === this.highlighted ? ' highlighted' : ''}`);
			row.setAttribute('role', 'option');
			row.dataset.name = item.name;
			row.append(element('span', 'name', item.name));
			if (item.description) row.append(element('span', 'description', item.description));
			if (item.tag) row.append(element('span', 'tag', item.tag));
			row.addEventListener('mousedown', (event) => {
				event.preventDefault();
				item.apply();
			});
			box.append(row);
		});
		if (this.hint) box.append(element('div', 'suggestion-hint', this.hint));
		box.hidden = false;
		box.querySelector('.highlighted')?.scrollIntoView({ block: 'nearest' });
	}

	hide() {
		this.box.hidden = true;
		this.items = [];
		this.highlighted = -1;
	}

	showError(text) {
		this.errorBox.textContent = text;
		this.errorBox.hidden = !text;
	}
}

/** The name the command or option was registered with: what the interaction carries, whatever the client shows. */
function apiName(node) {
	return node.apiName ?? node.name;
}

/** Typed as shown in the user's language or as registered: Discord's client finds a command by either. */
function named(node, typed) {
	const lower = typed.toLowerCase();
	return node.name === lower || apiName(node) === lower;
}

function startsWith(node, partial) {
	const lower = partial.toLowerCase();
	return node.name.startsWith(lower) || apiName(node).startsWith(lower);
}

function isSubcommand(option) {
	return option.type === OptionType.Subcommand || option.type === OptionType.SubcommandGroup;
}

function unknownOptionText(state) {
	const names = state.definitions.map((definition) => definition.name).join(', ');
	const unknown = state.unknownNames.map((name) => `"${name}"`).join(', ');
	return `${unknown} ${state.unknownNames.length > 1 ? 'are not options' : 'is not an option'} of /${state.path.join(' ')}${
		names ? ` (its options: ${names})` : ''
	}. To keep it as text, write \\: instead of :.`;
}

/** The limits the command registered, checked as Discord's client does before anything is sent. */
function checkLimits(definition, value) {
	if (typeof value === 'string' && [OptionType.String].includes(definition.type)) {
		if (definition.min_length !== undefined && value.length < definition.min_length)
			return { error: `${definition.name} must be at least ${definition.min_length} characters long (it is ${value.length}).` };
		if (definition.max_length !== undefined && value.length > definition.max_length)
			return { error: `${definition.name} must be at most ${definition.max_length} characters long (it is ${value.length}).` };
	}
	if (typeof value === 'number') {
		if (definition.min_value !== undefined && value < definition.min_value)
			return { error: `${definition.name} must be at least ${definition.min_value}.` };
		if (definition.max_value !== undefined && value > definition.max_value)
			return { error: `${definition.name} must be at most ${definition.max_value}.` };
	}
	return null;
}

function describeOption(definition) {
	const limits = [];
	if (definition.min_length !== undefined || definition.max_length !== undefined)
		limits.push(`${definition.min_length ?? 0} to ${definition.max_length ?? 6000} characters`);
	if (definition.min_value !== undefined || definition.max_value !== undefined)
		limits.push(`from ${definition.min_value ?? '−∞'} to ${definition.max_value ?? '∞'}`);
	return `${definition.description}${definition.required ? ' (required)' : ''}${limits.length ? ` · ${limits.join(', ')}` : ''}`;
}

function element(tag, className, text) {
	const node = document.createElement(tag);
	node.className = className;
	if (text !== undefined) node.textContent = text;
	return node;
}
