import { describe, expect, it } from 'vitest';
import { renderMessage } from '../../src/lib/failures.js';
import { english } from '../../src/lib/i18n/index.js';
import { checkTransition, refusalFor, targetStatus, type Decision, type GuildStatus } from '../../src/lib/approval/rules.js';

describe('approval rules', () => {
	it.each<[GuildStatus, Decision, ReturnType<typeof checkTransition>]>([
		['pending', 'approve', null],
		['pending', 'deny', null],
		['pending', 'revoke', 'unchanged'],
		['approved', 'revoke', null],
		['approved', 'deny', null],
		['approved', 'approve', 'unchanged'],
		['denied', 'approve', null],
		['denied', 'revoke', 'forbidden'],
		['denied', 'deny', 'unchanged']
	])('GIVEN a %s server WHEN %s THEN %s', (from, decision, expected) => {
		expect(checkTransition(from, decision)).toBe(expected);
	});

	it('GIVEN each decision THEN maps to its target state', () => {
		expect([targetStatus('approve'), targetStatus('deny'), targetStatus('revoke')]).toEqual(['approved', 'denied', 'pending']);
	});

	it('GIVEN each state THEN only approved lets members through, and the refusals say why', () => {
		expect(refusalFor('approved')).toBeNull();
		expect(renderMessage(english, refusalFor('pending')!)).toMatch(/waiting for approval/);
		expect(renderMessage(english, refusalFor(null)!)).toMatch(/waiting for approval/);
		expect(renderMessage(english, refusalFor('denied')!)).toMatch(/denied/);
	});

	it('GIVEN a pending server WHEN the bot’s owner is refused THEN they are told how to approve it, not to wait for the owner', () => {
		const guildId = '100000000000000001';
		const toOwner = renderMessage(english, refusalFor('pending', { guildId, isOwner: true })!);
		expect(toOwner).toContain('/admin approve server:100000000000000001');
		expect(toOwner).toMatch(/Approve\*\* on the request I sent you by DM/);
		expect(toOwner).not.toMatch(/approval by the bot’s owner/);
		expect(renderMessage(english, refusalFor('pending', { guildId, isOwner: false })!)).toMatch(/approval by the bot’s owner/);
	});
});
