import { Events } from '@sapphire/framework';
import { SubcommandPluginEvents } from '@sapphire/plugin-subcommands';
import { InteractionType, RESTEvents, type Client, type Interaction } from 'discord.js';
import type { BotMetrics } from './metrics.js';
import { routeLabel } from './metrics.js';

export type InteractionKind = 'chat_input' | 'context_menu' | 'autocomplete' | 'button' | 'select_menu' | 'modal' | 'other';
export type InteractionOutcome = 'success' | 'denied' | 'error' | 'unanswered';

interface Tracked {
	readonly kind: InteractionKind;
	readonly createdAt: number;
	readonly receivedAt: number;
	answered: boolean;
	outcome: 'denied' | 'error' | null;
}

/**
 * Counts each interaction exactly once, by kind and outcome, and times its acknowledgement.
 *
 * Sapphire reports an outcome in up to two events for one interaction (a subcommand's error, then the command's
 * finish), and none at all for a component handler that succeeds: so denials and errors only mark the interaction,
 * and it is counted when its command finishes, or, without such an event, once {@link settleMs} have passed.
 */
export class InteractionTracker {
	public static readonly settleMs = 10_000;
	private readonly tracked = new Map<string, Tracked>();

	public constructor(
		private readonly metrics: Pick<BotMetrics, 'interactions' | 'ackLatency'>,
		private readonly now: () => number = Date.now
	) {}

	public received(id: string, kind: InteractionKind, createdAt: number) {
		this.tracked.set(id, { kind, createdAt, receivedAt: this.now(), answered: false, outcome: null });
	}

	/** The first response (callback) to the interaction reached Discord. */
	public answered(id: string) {
		const entry = this.tracked.get(id);
		if (!entry || entry.answered) return;
		entry.answered = true;
		this.metrics.ackLatency.observe({ kind: entry.kind }, Math.max(0, this.now() - entry.createdAt) / 1000);
	}

	/** A denial or an error, kept until the interaction is counted; the first one seen wins. */
	public mark(id: string, outcome: 'denied' | 'error') {
		const entry = this.tracked.get(id);
		if (entry) entry.outcome ??= outcome;
	}

	/** Counts the interaction now (its command finished); `outcome` applies only when nothing was marked. */
	public finish(id: string, outcome?: 'denied' | 'error') {
		const entry = this.tracked.get(id);
		if (!entry) return;
		this.tracked.delete(id);
		this.count(entry, entry.outcome ?? outcome ?? 'success');
	}

	/** Counts the interactions that saw no finishing event within {@link settleMs}. */
	public settle() {
		const before = this.now() - InteractionTracker.settleMs;
		for (const [id, entry] of this.tracked) {
			if (entry.receivedAt > before) continue;
			this.tracked.delete(id);
			this.count(entry, entry.outcome ?? (entry.answered ? 'success' : 'unanswered'));
		}
	}

	public get size() {
		return this.tracked.size;
	}

	private count(entry: Tracked, outcome: InteractionOutcome) {
		this.metrics.interactions.inc({ kind: entry.kind, outcome });
	}
}

export function interactionKind(interaction: Interaction): InteractionKind {
	switch (interaction.type) {
		case InteractionType.ApplicationCommand:
			return interaction.isChatInputCommand() ? 'chat_input' : 'context_menu';
		case InteractionType.ApplicationCommandAutocomplete:
			return 'autocomplete';
		case InteractionType.MessageComponent:
			return interaction.isButton() ? 'button' : 'select_menu';
		case InteractionType.ModalSubmit:
			return 'modal';
		default:
			return 'other';
	}
}

/** The interaction id in a callback path (`/interactions/{id}/{token}/callback`); tokens never leave this function. */
const callbackPath = /^\/interactions\/(\d+)\/[^/]+\/callback/;

/**
 * Hooks the tracker and the REST counters to the client: its interaction events, Sapphire's outcome events, and
 * every REST answer (the first callback of an interaction is its acknowledgement; a 429 is counted even where
 * discord.js retries it silently, as it does for callbacks).
 *
 * @returns a function that stops the settle timer
 */
export function attachClientMetrics(client: Client, metrics: BotMetrics): () => void {
	const tracker = new InteractionTracker(metrics);
	type WithInteraction = { interaction: { readonly id: string } };
	const finish = (outcome?: 'denied' | 'error') => (_: unknown, payload: WithInteraction) => tracker.finish(payload.interaction.id, outcome);
	const mark = (outcome: 'denied' | 'error') => (_: unknown, payload: WithInteraction) => tracker.mark(payload.interaction.id, outcome);

	client.on(Events.InteractionCreate, (interaction) =>
		tracker.received(interaction.id, interactionKind(interaction), interaction.createdTimestamp)
	);
	client.on(Events.ChatInputCommandDenied, finish('denied'));
	client.on(Events.ContextMenuCommandDenied, finish('denied'));
	client.on(Events.ChatInputCommandError, mark('error'));
	client.on(Events.ContextMenuCommandError, mark('error'));
	client.on(Events.InteractionHandlerError, mark('error'));
	client.on(Events.InteractionHandlerParseError, mark('error'));
	client.on(SubcommandPluginEvents.ChatInputSubcommandDenied, mark('denied'));
	client.on(SubcommandPluginEvents.ChatInputSubcommandError, mark('error'));
	// The finish events come last, after any error event of the same command.
	client.on(Events.ChatInputCommandFinish, (interaction: { readonly id: string }) => tracker.finish(interaction.id));
	client.on(Events.ContextMenuCommandFinish, (interaction: { readonly id: string }) => tracker.finish(interaction.id));
	client.on(Events.CommandAutocompleteInteractionSuccess, (payload: WithInteraction) => tracker.finish(payload.interaction.id));
	client.on(Events.CommandAutocompleteInteractionError, finish('error'));

	client.rest.on(RESTEvents.Response, (request, response) => {
		if (response.status === 429) {
			const scope = 'headers' in response ? (response.headers.get('x-ratelimit-scope') ?? 'unknown') : 'unknown';
			metrics.restRateLimited.inc({ route: routeLabel(request.route), scope });
			return;
		}
		const callback = callbackPath.exec(request.path);
		if (callback && response.status < 300) tracker.answered(callback[1]!);
	});
	client.rest.on(RESTEvents.RateLimited, (info) => metrics.restRateLimitWaits.inc({ route: routeLabel(info.route), global: String(info.global) }));

	const timer = setInterval(() => tracker.settle(), 1_000).unref();
	return () => clearInterval(timer);
}
