/**
 * Command registration in every shipped language. Each command, subcommand and option finds its words in the
 * `commands` namespace by its English name: `commands:<command>.<child>...` whose `name` is that name, looked up in
 * the command's own node first and then in its ancestors (an option shared by several subcommands, such as `poll`,
 * sits once beside them). So a command file only names its root key, and an option added without words fails the
 * registration at start-up instead of registering half-translated.
 */
import { applyLocalizedBuilder, createLocalizedChoice } from '@sapphire/plugin-i18next';
import type { BuilderWithNameAndDescription } from '@sapphire/plugin-i18next';
import type { ApplicationCommandRegistry } from '@sapphire/framework';
import type { SlashCommandBuilder } from 'discord.js';
import { defaultLocale, loadedResources, type MessageKey, type Translator } from './index.js';

type Node = { readonly [key: string]: unknown };

interface Localizable extends BuilderWithNameAndDescription {
	readonly name: string;
	readonly options?: readonly unknown[];
}

/** Sets the name and description localisations of `builder` and everything under it, from `commands:<root>`. */
export function localizeCommand<T extends Localizable>(builder: T, root: string): T {
	const tree = loadedResources[defaultLocale]?.commands as Node | undefined;
	const node = tree?.[root];
	if (!isNode(node)) throw new Error(`No words for command ${root}: add commands:${root} to languages/${defaultLocale}/commands.json.`);
	localizeTree(builder, [[root, node]]);
	return builder;
}

type Path = ReadonlyArray<readonly [segment: string, node: Node]>;

function localizeTree(builder: Localizable, path: Path) {
	const key = keyOf(path);
	applyLocalizedBuilder(builder, `${key}.name` as never, `${key}.description` as never);
	for (const child of builder.options ?? []) {
		const option = child as Localizable;
		localizeTree(option, findChild(path, option.name));
	}
}

function keyOf(path: Path): string {
	return `commands:${path.map(([segment]) => segment).join('.')}`;
}

/** The path of the node named `name` among the children of the innermost node of `path`, else of its ancestors. */
function findChild(path: Path, name: string): Path {
	for (let depth = path.length; depth > 0; depth--) {
		for (const [segment, value] of Object.entries(path[depth - 1]![1])) {
			if (isNode(value) && value.name === name) return [...path.slice(0, depth), [segment, value]];
		}
	}
	throw new Error(`No words for option ${name} of ${keyOf(path)}: add it to languages/${defaultLocale}/commands.json.`);
}

function isNode(value: unknown): value is Node {
	return value !== null && typeof value === 'object';
}

/** A command's or subcommand's name as a member of that language sees it in Discord's `/` picker. */
export function localizedName(t: Translator, commandName: string, subcommandName?: string): string {
	return t(`${wordsKey(commandName, subcommandName)}.name` as MessageKey);
}

export function localizedDescription(t: Translator, commandName: string, subcommandName?: string): string {
	return t(`${wordsKey(commandName, subcommandName)}.description` as MessageKey);
}

function wordsKey(commandName: string, subcommandName?: string): string {
	const node = (loadedResources[defaultLocale]?.commands as Node | undefined)?.[commandName];
	if (!isNode(node)) throw new Error(`No words for command ${commandName}.`);
	const root: Path = [[commandName, node]];
	return keyOf(subcommandName === undefined ? root : findChild(root, subcommandName));
}

/** A choice named in every shipped language; typed by our message keys (the plugin's types assume one namespace). */
export function localizedChoice<Value extends string | number>(key: MessageKey, value: Value) {
	return createLocalizedChoice<Value>(key as never, { value });
}

/**
 * `registry`, whose chat input command comes out localised from `commands:<root>`: a command file changes one word
 * (`localized(registry, 'poll').registerChatInputCommand(...)`) instead of wrapping its whole builder.
 */
export function localized(registry: ApplicationCommandRegistry, root: string) {
	return {
		registerChatInputCommand(
			build: (builder: SlashCommandBuilder) => Localizable,
			options?: Parameters<ApplicationCommandRegistry['registerChatInputCommand']>[1]
		) {
			return registry.registerChatInputCommand((builder) => localizeCommand(build(builder), root) as never, options);
		}
	};
}
