/**
 * Who a message would notify. Discord parses mentions only from `content` (never from embeds), and `allowed_mentions`
 * filters them; when `allowed_mentions` is absent Discord parses everything. (Role mentionability and the bot's
 * Mention Everyone permission are ignored here on purpose: a test wants to know what the bot *asked* for.)
 */
export interface AllowedMentions {
	parse?: Array<'everyone' | 'roles' | 'users' | null> | null;
	users?: Array<string | null> | null;
	roles?: Array<string | null> | null;
	replied_user?: boolean | null;
}

export interface WouldPing {
	everyone: boolean;
	roles: string[];
	users: string[];
}

export function mentionsInContent(content: string): WouldPing {
	const unique = (values: Iterable<string>) => [...new Set(values)];
	return {
		everyone: /@(everyone|here)/.test(content),
		users: unique([...content.matchAll(/<@!?(\d{17,20})>/g)].map((match) => match[1]!)),
		roles: unique([...content.matchAll(/<@&(\d{17,20})>/g)].map((match) => match[1]!))
	};
}

export function computeWouldPing(content: string | null | undefined, allowed: AllowedMentions | null | undefined): WouldPing {
	const mentioned = mentionsInContent(content ?? '');
	if (!allowed) return mentioned;
	const parse = new Set(allowed.parse ?? []);
	const explicitUsers = new Set((allowed.users ?? []).filter((id): id is string => typeof id === 'string'));
	const explicitRoles = new Set((allowed.roles ?? []).filter((id): id is string => typeof id === 'string'));
	return {
		everyone: mentioned.everyone && parse.has('everyone'),
		users: mentioned.users.filter((id) => parse.has('users') || explicitUsers.has(id)),
		roles: mentioned.roles.filter((id) => parse.has('roles') || explicitRoles.has(id))
	};
}
