/**
 * Request-body validation: first the discord-api-spec Zod schemas (the shapes and limits in Discord's OpenAPI spec),
 * then the rules Discord enforces that the spec does not encode (component layout, custom id uniqueness, the 2000
 * character limit for bots, the 6000 character embed budget, command naming and option order).
 * Every function throws `invalidFormBody(...)` on the first request that breaks anything, listing all breaks.
 */
import * as Spec from 'discord-api-spec/zod';
import { invalidFormBody, type RuleBreak } from './errors.js';
import { allowedMentionsConflicts } from './mentions.js';

type Json = Record<string, unknown>;
interface SafeParser {
	safeParse(value: unknown): { success: boolean; error?: { issues: ReadonlyArray<ZodIssueLike> } };
}
interface ZodIssueLike {
	code: string;
	path: ReadonlyArray<PropertyKey>;
	maximum?: unknown;
	minimum?: unknown;
	expected?: unknown;
	values?: unknown;
}

export const MESSAGE_CONTENT_LIMIT = 2000;
export const EMBED_TOTAL_LIMIT = 6000;
const COMPONENTS_V2_FLAG = 1 << 15;
const ButtonStyle = { Link: 5, Premium: 6 } as const;
const ComponentType = {
	ActionRow: 1,
	Button: 2,
	StringSelect: 3,
	TextInput: 4,
	UserSelect: 5,
	RoleSelect: 6,
	MentionableSelect: 7,
	ChannelSelect: 8,
	Label: 18
} as const;
const SELECT_TYPES = new Set<number>([3, 5, 6, 7, 8]);

/** Which spec schema checks which kind of body. */
export const BodySchemas = {
	messageCreate: Spec.MessageCreateRequestSchema,
	messageEdit: Spec.MessageEditRequestPartialSchema,
	webhookExecute: Spec.IncomingWebhookRequestPartialSchema,
	webhookEdit: Spec.IncomingWebhookUpdateRequestPartialSchema,
	commandCreate: Spec.ApplicationCommandCreateRequestSchema,
	commandPatch: Spec.ApplicationCommandPatchRequestPartialSchema,
	commandBulkItem: Spec.ApplicationCommandUpdateRequestSchema,
	createDm: Spec.CreatePrivateChannelRequestSchema
} satisfies Record<string, SafeParser>;

/** Callback bodies, chosen by their `type` like Discord's `oneOf`. */
const CallbackSchemas: Record<number, SafeParser> = {
	1: Spec.PongInteractionCallbackRequestSchema,
	4: Spec.CreateMessageInteractionCallbackRequestSchema,
	5: Spec.CreateMessageInteractionCallbackRequestSchema,
	6: Spec.UpdateMessageInteractionCallbackRequestSchema,
	7: Spec.UpdateMessageInteractionCallbackRequestSchema,
	8: Spec.ApplicationCommandAutocompleteCallbackRequestSchema,
	9: Spec.ModalInteractionCallbackRequestSchema
};

function describeIssue(issue: ZodIssueLike): { code: string; message: string } {
	switch (issue.code) {
		case 'too_big':
			return { code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${String(issue.maximum)} or fewer in length.` };
		case 'too_small':
			return { code: 'BASE_TYPE_MIN_LENGTH', message: `Must be ${String(issue.minimum)} or more in length.` };
		case 'invalid_type':
			return { code: issue.expected === 'undefined' ? 'BASE_TYPE_BAD' : 'BASE_TYPE_REQUIRED', message: `Expected ${String(issue.expected)}.` };
		case 'invalid_value':
			return { code: 'BASE_TYPE_CHOICES', message: `Value must be one of ${JSON.stringify(issue.values)}.` };
		case 'invalid_union':
			return { code: 'UNION_TYPE_CHOICES', message: 'Value matches none of the allowed shapes.' };
		default:
			return { code: 'BASE_TYPE_INVALID', message: `Invalid value (${issue.code}).` };
	}
}

function schemaBreaks(schema: SafeParser, body: unknown, prefix: Array<string | number> = []): RuleBreak[] {
	const result = schema.safeParse(body);
	if (result.success) return [];
	return (result.error?.issues ?? []).map((issue) => ({
		path: [...prefix, ...issue.path.map((key) => (typeof key === 'number' ? key : String(key)))],
		...describeIssue(issue)
	}));
}

function throwIfAny(breaks: RuleBreak[]): void {
	if (breaks.length > 0) throw invalidFormBody(breaks);
}

// ---------- messages ----------

export type MessageBodyKind = 'messageCreate' | 'messageEdit' | 'webhookExecute' | 'webhookEdit';

export function validateMessageBody(kind: MessageBodyKind, body: unknown): asserts body is Json {
	if (typeof body !== 'object' || body === null || Array.isArray(body))
		throw invalidFormBody([{ path: [], code: 'DICT_TYPE_CONVERT', message: 'Only dictionaries may be used in a DictType' }]);
	throwIfAny([...schemaBreaks(BodySchemas[kind], body), ...messageRuleBreaks(body as Json)]);
}

/** Data of a type 4 or 7 callback is a message too; type 9 is a modal; type 8 carries choices. */
export function validateCallbackBody(body: unknown): { type: number; data: Json | null } {
	if (typeof body !== 'object' || body === null)
		throw invalidFormBody([{ path: [], code: 'DICT_TYPE_CONVERT', message: 'Only dictionaries may be used in a DictType' }]);
	const { type, data } = body as { type?: unknown; data?: unknown };
	const schema = typeof type === 'number' ? CallbackSchemas[type] : undefined;
	if (!schema)
		throw invalidFormBody([
			{ path: ['type'], code: 'BASE_TYPE_CHOICES', message: `Value must be one of (1, 4, 5, 6, 7, 8, 9); got ${JSON.stringify(type)}.` }
		]);
	const breaks = schemaBreaks(schema, body);
	const dataObject = typeof data === 'object' && data !== null ? (data as Json) : null;
	if (dataObject && (type === 4 || type === 7)) breaks.push(...messageRuleBreaks(dataObject, ['data']));
	if (dataObject && type === 8) {
		const choices = dataObject.choices;
		if (Array.isArray(choices) && choices.length > 25)
			breaks.push({ path: ['data', 'choices'], code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 25 or fewer in length.' });
	}
	if (dataObject && type === 9)
		breaks.push(...customIdBreaks(dataObject.components, ['data', 'components']), ...modalRuleBreaks(dataObject, ['data']));
	throwIfAny(breaks);
	return { type: type as number, data: dataObject };
}

export function messageRuleBreaks(body: Json, prefix: Array<string | number> = []): RuleBreak[] {
	const breaks: RuleBreak[] = [];
	if (typeof body.content === 'string' && [...body.content].length > MESSAGE_CONTENT_LIMIT) {
		breaks.push({ path: [...prefix, 'content'], code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${MESSAGE_CONTENT_LIMIT} or fewer in length.` });
	}
	if (Array.isArray(body.embeds)) {
		if (body.embeds.length > 10)
			breaks.push({ path: [...prefix, 'embeds'], code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 10 or fewer in length.' });
		const total = body.embeds.reduce<number>((sum, embed) => sum + embedTextLength(embed as Json), 0);
		if (total > EMBED_TOTAL_LIMIT)
			breaks.push({
				path: [...prefix, 'embeds'],
				code: 'MAX_EMBED_SIZE_EXCEEDED',
				message: `Embed size exceeds maximum size of ${EMBED_TOTAL_LIMIT} (${total}).`
			});
	}
	const isComponentsV2 = typeof body.flags === 'number' && (body.flags & COMPONENTS_V2_FLAG) !== 0;
	if (Array.isArray(body.components) && !isComponentsV2) breaks.push(...actionRowBreaks(body.components, [...prefix, 'components']));
	breaks.push(...customIdBreaks(body.components, [...prefix, 'components']));
	for (const kind of allowedMentionsConflicts(body.allowed_mentions))
		breaks.push({
			path: [...prefix, 'allowed_mentions', kind],
			code: 'MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE',
			message: `parse:["${kind}"] and ${kind}: [ids] are mutually exclusive.`
		});
	return breaks;
}

/** The text Discord counts towards an embed's 6000 characters. */
export function embedTextLength(embed: Json | null | undefined): number {
	if (!embed) return 0;
	const length = (value: unknown) => (typeof value === 'string' ? [...value].length : 0);
	const fields = Array.isArray(embed.fields) ? (embed.fields as Json[]) : [];
	return (
		length(embed.title) +
		length(embed.description) +
		length((embed.footer as Json | undefined)?.text) +
		length((embed.author as Json | undefined)?.name) +
		fields.reduce((sum, field) => sum + length(field.name) + length(field.value), 0)
	);
}

/** Discord documents 1 to 5 components in a modal. */
const MODAL_COMPONENT_LIMIT = 5;

/**
 * What the spec's modal shapes leave out: at most 5 components; a text input in a (legacy) action row carries its
 * own label, one in a Label component does not need one; selects inside Labels follow the message select rules.
 */
function modalRuleBreaks(modal: Json, prefix: Array<string | number>): RuleBreak[] {
	const breaks: RuleBreak[] = [];
	const components = Array.isArray(modal.components) ? (modal.components as Json[]) : [];
	const path = [...prefix, 'components'];
	if (components.length > MODAL_COMPONENT_LIMIT)
		breaks.push({ path, code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${MODAL_COMPONENT_LIMIT} or fewer in length.` });
	components.forEach((component, index) => {
		const here = [...path, index];
		if (component.type === ComponentType.ActionRow) {
			const children = Array.isArray(component.components) ? (component.components as Json[]) : [];
			if (children.length > 1)
				breaks.push({ path: [...here, 'components'], code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 1 or fewer in length.' });
			children.forEach((child, childIndex) => {
				if (child.type === ComponentType.TextInput && typeof child.label !== 'string')
					breaks.push({
						path: [...here, 'components', childIndex, 'label'],
						code: 'BASE_TYPE_REQUIRED',
						message: 'A text input outside a Label component needs a label.'
					});
			});
		}
		if (component.type === ComponentType.Label && typeof component.component === 'object' && component.component !== null)
			breaks.push(...componentBreaks(component.component as Json, [...here, 'component']));
	});
	return breaks;
}

/** Classic (non components-v2) layout: ≤ 5 action rows; each holds 1–5 buttons or exactly one select. */
function actionRowBreaks(rows: unknown[], path: Array<string | number>): RuleBreak[] {
	const breaks: RuleBreak[] = [];
	if (rows.length > 5) breaks.push({ path, code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 5 or fewer in length.' });
	rows.forEach((row, rowIndex) => {
		const rowPath = [...path, rowIndex];
		const children = (row as Json).components;
		if ((row as Json).type !== ComponentType.ActionRow || !Array.isArray(children)) {
			breaks.push({ path: rowPath, code: 'COMPONENT_LAYOUT_WIDTH_EXCEEDED', message: 'Top-level components must be action rows.' });
			return;
		}
		const buttons = children.filter((child) => (child as Json).type === ComponentType.Button);
		const selects = children.filter((child) => SELECT_TYPES.has((child as Json).type as number));
		if (children.length === 0)
			breaks.push({ path: [...rowPath, 'components'], code: 'BASE_TYPE_MIN_LENGTH', message: 'Must be 1 or more in length.' });
		if (buttons.length > 5)
			breaks.push({ path: [...rowPath, 'components'], code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 5 or fewer in length.' });
		if (selects.length > 0 && children.length > 1)
			breaks.push({
				path: [...rowPath, 'components'],
				code: 'COMPONENT_LAYOUT_WIDTH_EXCEEDED',
				message: 'A select menu must be alone in its action row.'
			});
		children.forEach((child, childIndex) => breaks.push(...componentBreaks(child as Json, [...rowPath, 'components', childIndex])));
	});
	return breaks;
}

function componentBreaks(component: Json, path: Array<string | number>): RuleBreak[] {
	const breaks: RuleBreak[] = [];
	if (component.type === ComponentType.Button) {
		const isLinkLike = component.style === ButtonStyle.Link || component.style === ButtonStyle.Premium;
		if (!isLinkLike && typeof component.custom_id !== 'string')
			breaks.push({
				path: [...path, 'custom_id'],
				code: 'BUTTON_COMPONENT_CUSTOM_ID_REQUIRED',
				message: 'A custom id is required for non-link buttons.'
			});
		if (component.style === ButtonStyle.Link && typeof component.url !== 'string')
			breaks.push({ path: [...path, 'url'], code: 'BUTTON_COMPONENT_URL_REQUIRED', message: 'A url is required for link buttons.' });
		if (isLinkLike && component.custom_id !== undefined && component.custom_id !== null)
			breaks.push({
				path: [...path, 'custom_id'],
				code: 'BUTTON_COMPONENT_LINK_HAS_CUSTOM_ID',
				message: 'Link buttons cannot have a custom id.'
			});
	}
	if (SELECT_TYPES.has(component.type as number)) {
		const options = Array.isArray(component.options) ? component.options : [];
		const min = typeof component.min_values === 'number' ? component.min_values : 1;
		const max = typeof component.max_values === 'number' ? component.max_values : 1;
		if (min > max)
			breaks.push({
				path: [...path, 'min_values'],
				code: 'SELECT_COMPONENT_MIN_VALUES_TOO_LARGE',
				message: `min_values (${min}) must be ≤ max_values (${max}).`
			});
		if (component.type === ComponentType.StringSelect) {
			if (options.length < 1 || options.length > 25)
				breaks.push({ path: [...path, 'options'], code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 25 in length.' });
			if (max > options.length)
				breaks.push({
					path: [...path, 'max_values'],
					code: 'SELECT_COMPONENT_MAX_VALUES_TOO_LARGE',
					message: `max_values (${max}) must be ≤ the number of options (${options.length}).`
				});
			const values = options.map((option) => (option as Json).value);
			if (new Set(values).size !== values.length)
				breaks.push({
					path: [...path, 'options'],
					code: 'SELECT_COMPONENT_OPTION_VALUE_DUPLICATED',
					message: 'Option values must be unique.'
				});
		}
	}
	return breaks;
}

/** custom_id ≤ 100 characters and unique within one message or modal, at any nesting depth. */
function customIdBreaks(components: unknown, path: Array<string | number>): RuleBreak[] {
	const breaks: RuleBreak[] = [];
	const seen = new Map<string, string>();
	const visit = (node: unknown, nodePath: Array<string | number>) => {
		if (Array.isArray(node)) return node.forEach((child, index) => visit(child, [...nodePath, index]));
		if (typeof node !== 'object' || node === null) return;
		const component = node as Json;
		if (typeof component.custom_id === 'string') {
			const where = [...nodePath, 'custom_id'];
			if ([...component.custom_id].length > 100)
				breaks.push({ path: where, code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 100 or fewer in length.' });
			if (seen.has(component.custom_id))
				breaks.push({
					path: where,
					code: 'COMPONENT_CUSTOM_ID_DUPLICATED',
					message: `Component custom id cannot be duplicated (also at ${seen.get(component.custom_id)}).`
				});
			seen.set(component.custom_id, where.join('.'));
		}
		if (component.components !== undefined) visit(component.components, [...nodePath, 'components']);
		if (component.component !== undefined) visit(component.component, [...nodePath, 'component']);
		if (component.accessory !== undefined) visit(component.accessory, [...nodePath, 'accessory']);
	};
	visit(components, path);
	return breaks;
}

export function validateDmBody(body: unknown): asserts body is Json {
	throwIfAny(schemaBreaks(BodySchemas.createDm, body));
}

// ---------- application commands ----------

const COMMAND_NAME = /^[-_\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

/** A Discord locale code (`de`, `fr`, `es-ES`, `pt-BR`...), as the spec lists them. */
export function isDiscordLocale(value: string): boolean {
	return Spec.AvailableLocalesEnumSchema.safeParse(value).success;
}

/** Chat input names (commands, subcommands, options) and their localised forms: lower case, no spaces. */
function isChatInputName(name: string): boolean {
	return COMMAND_NAME.test(name) && name === name.toLowerCase();
}

/**
 * A `*_localizations` map: keys must be Discord locale codes, values follow the same rule as the field they
 * translate (`valid`). Null or absent is fine.
 */
function localizationBreaks(map: unknown, path: Array<string | number>, valid: (value: string) => boolean, rule: string): RuleBreak[] {
	if (map === undefined || map === null) return [];
	if (typeof map !== 'object' || Array.isArray(map))
		return [{ path, code: 'DICT_TYPE_CONVERT', message: 'Only dictionaries may be used in a DictType' }];
	const breaks: RuleBreak[] = [];
	for (const [locale, value] of Object.entries(map as Json)) {
		if (!isDiscordLocale(locale))
			breaks.push({
				path: [...path, locale],
				code: 'BASE_TYPE_CHOICES',
				message: `Invalid locale ${JSON.stringify(locale)}: not a Discord locale code.`
			});
		else if (typeof value !== 'string' || !valid(value))
			breaks.push({
				path: [...path, locale],
				code: 'APPLICATION_COMMAND_INVALID_LOCALIZATION',
				message: `Invalid localisation ${JSON.stringify(value)} (${rule}).`
			});
	}
	return breaks;
}

const charCount = (value: string) => [...value].length;
const nameLocalizationBreaks = (map: unknown, path: Array<string | number>) =>
	localizationBreaks(map, path, isChatInputName, 'lowercase, ^[-_\\p{L}\\p{N}\\p{sc=Deva}\\p{sc=Thai}]{1,32}$');
const textLocalizationBreaks = (map: unknown, path: Array<string | number>) =>
	localizationBreaks(map, path, (value) => charCount(value) >= 1 && charCount(value) <= 100, '1 to 100 characters');
const OptionType = { Subcommand: 1, SubcommandGroup: 2 } as const;

export type CommandBodyKind = 'commandCreate' | 'commandPatch' | 'commandBulkItem';

export function validateCommandBody(kind: CommandBodyKind, body: unknown, prefix: Array<string | number> = []): asserts body is Json {
	const breaks = schemaBreaks(BodySchemas[kind], permissionsAsNumber(body), prefix);
	breaks.push(...permissionStringBreaks(body, prefix));
	if (breaks.length === 0) breaks.push(...commandRuleBreaks(body as Json, kind === 'commandPatch', prefix));
	throwIfAny(breaks);
}

export function validateBulkCommands(body: unknown): asserts body is Json[] {
	if (!Array.isArray(body)) throw invalidFormBody([{ path: [], code: 'BASE_TYPE_ARRAY', message: 'Expected an array of commands.' }]);
	const breaks: RuleBreak[] = [];
	if (body.length > 130) breaks.push({ path: [], code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 130 or fewer in length.' });
	body.forEach((command, index) => {
		const own = [
			...schemaBreaks(BodySchemas.commandBulkItem, permissionsAsNumber(command), [index]),
			...permissionStringBreaks(command, [index])
		];
		breaks.push(...(own.length > 0 ? own : commandRuleBreaks(command as Json, false, [index])));
	});
	const keys = body.map((command) => `${(command as Json).type ?? 1}:${String((command as Json).name)}`);
	keys.forEach((key, index) => {
		if (keys.indexOf(key) !== index)
			breaks.push({
				path: [index, 'name'],
				code: 'APPLICATION_COMMANDS_DUPLICATE_NAME',
				message: `Application command names must be unique (${key.split(':')[1]}).`
			});
	});
	throwIfAny(breaks);
}

/**
 * The spec types `default_member_permissions` as an integer, but Discord documents (and discord.js sends) a string
 * bitfield. Validate a copy with the number, and check the string's shape separately.
 */
function permissionsAsNumber(command: unknown): unknown {
	if (typeof command !== 'object' || command === null) return command;
	const permissions = (command as Json).default_member_permissions;
	return typeof permissions === 'string' && /^\d+$/.test(permissions)
		? { ...(command as Json), default_member_permissions: Number(permissions) }
		: command;
}

function permissionStringBreaks(command: unknown, prefix: Array<string | number>): RuleBreak[] {
	const permissions = typeof command === 'object' && command !== null ? (command as Json).default_member_permissions : undefined;
	return typeof permissions === 'string' && !/^\d+$/.test(permissions)
		? [{ path: [...prefix, 'default_member_permissions'], code: 'PERMISSIONS_INVALID', message: 'Must be a permission bitfield.' }]
		: [];
}

function commandRuleBreaks(command: Json, partial: boolean, prefix: Array<string | number>): RuleBreak[] {
	const breaks: RuleBreak[] = [];
	const isChatInput = (command.type ?? 1) === 1;
	if (!partial || command.name !== undefined) {
		const name = String(command.name);
		if (isChatInput && !isChatInputName(name))
			breaks.push({
				path: [...prefix, 'name'],
				code: 'APPLICATION_COMMAND_INVALID_NAME',
				message: `Command name is invalid: ${JSON.stringify(name)} (lowercase, ^[-_\\p{L}\\p{N}\\p{sc=Deva}\\p{sc=Thai}]{1,32}$).`
			});
	}
	if (isChatInput && (!partial || command.description !== undefined))
		breaks.push(...descriptionBreaks(command.description, [...prefix, 'description']));
	// User and message commands may use capitals and spaces in their names, translated ones too.
	breaks.push(
		...(isChatInput
			? nameLocalizationBreaks(command.name_localizations, [...prefix, 'name_localizations'])
			: localizationBreaks(
					command.name_localizations,
					[...prefix, 'name_localizations'],
					(value) => charCount(value) >= 1 && charCount(value) <= 32,
					'1 to 32 characters'
				)),
		...textLocalizationBreaks(command.description_localizations, [...prefix, 'description_localizations'])
	);
	if (Array.isArray(command.options)) breaks.push(...optionListBreaks(command.options as Json[], [...prefix, 'options'], 0));
	return breaks;
}

function descriptionBreaks(description: unknown, path: Array<string | number>): RuleBreak[] {
	const length = typeof description === 'string' ? [...description].length : 0;
	return length >= 1 && length <= 100 ? [] : [{ path, code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 100 in length.' }];
}

function optionListBreaks(options: Json[], path: Array<string | number>, depth: number): RuleBreak[] {
	const breaks: RuleBreak[] = [];
	if (options.length > 25) breaks.push({ path, code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 25 or fewer in length.' });
	let sawOptional = false;
	const names = new Set<string>();
	options.forEach((option, index) => {
		const here = [...path, index];
		const name = String(option.name);
		if (!isChatInputName(name))
			breaks.push({
				path: [...here, 'name'],
				code: 'APPLICATION_COMMAND_INVALID_NAME',
				message: `Option name is invalid: ${JSON.stringify(name)}.`
			});
		if (names.has(name))
			breaks.push({
				path: [...here, 'name'],
				code: 'APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS',
				message: `Option name ${name} is already used.`
			});
		names.add(name);
		breaks.push(
			...descriptionBreaks(option.description, [...here, 'description']),
			...nameLocalizationBreaks(option.name_localizations, [...here, 'name_localizations']),
			...textLocalizationBreaks(option.description_localizations, [...here, 'description_localizations'])
		);
		const isSubcommand = option.type === OptionType.Subcommand || option.type === OptionType.SubcommandGroup;
		if (isSubcommand) {
			const allowed = option.type === OptionType.SubcommandGroup ? depth === 0 : depth <= 1;
			if (!allowed)
				breaks.push({
					path: [...here, 'type'],
					code: 'APPLICATION_COMMAND_OPTION_TYPE_INVALID',
					message: 'Subcommands cannot be nested this deep.'
				});
			if (Array.isArray(option.options)) breaks.push(...optionListBreaks(option.options as Json[], [...here, 'options'], depth + 1));
			return;
		}
		if (option.required === true && sawOptional)
			breaks.push({
				path: [...here, 'required'],
				code: 'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID',
				message: 'Required options must be placed before non-required options.'
			});
		if (option.required !== true) sawOptional = true;
		if (Array.isArray(option.choices))
			(option.choices as Json[]).forEach((choice, choiceIndex) =>
				breaks.push(...textLocalizationBreaks(choice.name_localizations, [...here, 'choices', choiceIndex, 'name_localizations']))
			);
		if (Array.isArray(option.choices) && option.choices.length > 25)
			breaks.push({ path: [...here, 'choices'], code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 25 or fewer in length.' });
		if (option.autocomplete === true && Array.isArray(option.choices) && option.choices.length > 0)
			breaks.push({
				path: [...here, 'autocomplete'],
				code: 'APPLICATION_COMMAND_AUTOCOMPLETE_WITH_CHOICES',
				message: 'Autocomplete cannot be used with choices.'
			});
	});
	const mixesSubcommands =
		options.some((option) => option.type === 1 || option.type === 2) && options.some((option) => option.type !== 1 && option.type !== 2);
	if (mixesSubcommands)
		breaks.push({
			path,
			code: 'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID',
			message: 'Subcommands and groups cannot be mixed with other options.'
		});
	return breaks;
}
