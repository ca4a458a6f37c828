/**
 * Discord's JSON error responses. Handlers throw a `DiscordApiError`; the HTTP layer turns it into the response body
 * Discord would send and, when `violation` is set, records it in `fake.violations` (the bot broke one of Discord's rules).
 */
export type FormErrors = { [key: string]: FormErrors | Array<{ code: string; message: string }> };

export interface DiscordErrorBody {
	message: string;
	code: number;
	errors?: FormErrors;
}

export class DiscordApiError extends Error {
	public constructor(
		public readonly status: number,
		public readonly body: DiscordErrorBody,
		/** Why this request breaks Discord's rules; undefined for answers that are not the bot's fault (e.g. 404 Unknown Message). */
		public readonly violation?: string
	) {
		super(`${status} ${body.code} ${body.message}`);
	}
}

/** One broken rule found while validating a body: where (path into the body) and what. */
export interface RuleBreak {
	path: Array<string | number>;
	code: string;
	message: string;
}

/** 400 Invalid Form Body (50035) with Discord's nested `errors` shape: `{ components: { 0: { _errors: [...] } } }`. */
export function invalidFormBody(breaks: RuleBreak[]): DiscordApiError {
	const errors: FormErrors = {};
	for (const { path, code, message } of breaks) {
		let node: FormErrors = errors;
		for (const key of path.map(String)) {
			const child = node[key];
			if (child === undefined || Array.isArray(child)) node[key] = {};
			node = node[key] as FormErrors;
		}
		const list = (node._errors as Array<{ code: string; message: string }> | undefined) ?? [];
		list.push({ code, message });
		node._errors = list;
	}
	const reason = breaks.map((entry) => `${entry.path.join('.') || '(body)'}: ${entry.message}`).join('; ');
	return new DiscordApiError(400, { message: 'Invalid Form Body', code: 50035, errors }, reason);
}

export const notFound = (code: number, message: string) => new DiscordApiError(404, { message, code });

export const Errors = {
	unknownChannel: () => notFound(10003, 'Unknown Channel'),
	unknownGuild: () => notFound(10004, 'Unknown Guild'),
	unknownMessage: () => notFound(10008, 'Unknown Message'),
	unknownUser: () => notFound(10013, 'Unknown User'),
	unknownWebhook: () => notFound(10015, 'Unknown Webhook'),
	unknownApplicationCommand: () => notFound(10063, 'Unknown application command'),
	unknownInteraction: (why: string, options: { violation: boolean } = { violation: true }) =>
		new DiscordApiError(404, { message: 'Unknown interaction', code: 10062 }, options.violation ? why : undefined),
	alreadyAcknowledged: (why: string, options: { violation: boolean } = { violation: true }) =>
		new DiscordApiError(400, { message: 'Interaction has already been acknowledged.', code: 40060 }, options.violation ? why : undefined),
	invalidWebhookToken: (why: string) => new DiscordApiError(401, { message: 'Invalid Webhook Token', code: 50027 }, why),
	emptyMessage: () =>
		new DiscordApiError(400, { message: 'Cannot send an empty message', code: 50006 }, 'message has no content, embed, component or file'),
	invalidJson: () => new DiscordApiError(400, { message: 'The request body contains invalid JSON.', code: 50109 }, 'body is not valid JSON'),
	cannotEditOthersMessage: () =>
		new DiscordApiError(
			403,
			{ message: 'Cannot edit a message authored by another user', code: 50005 },
			'edit of a message the bot did not author'
		),
	missingAccess: (why: string) => new DiscordApiError(403, { message: 'Missing Access', code: 50001 }, why),
	unauthorized: () => new DiscordApiError(401, { message: '401: Unauthorized', code: 0 }, 'request without "Authorization: Bot ..." header'),
	invalidCallbackType: (why: string) =>
		new DiscordApiError(400, { message: 'Interaction response type is not valid for this interaction', code: 50035 }, why)
} as const;
