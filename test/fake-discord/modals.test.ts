import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { FakeDiscord } from './fake-discord.js';
import type { InteractionHandle } from './interactions.js';
import { RawGatewayClient, rawRequest, type GatewayPayload } from './raw-client.js';
import type { FakeGuild, FakeRole, FakeUser } from './world.js';

/** A modal as discord.js 14.28 sends it from ModalBuilder + LabelBuilder: Labels holding a text input and selects. */
const pollModal = (roleSelectRequired = true) => ({
	custom_id: 'poll:create',
	title: 'New poll',
	components: [
		{ type: 10, content: 'Describe your poll' },
		{ type: 18, label: 'Question', component: { type: 4, custom_id: 'question', style: 1, min_length: 3, max_length: 100 } },
		{
			type: 18,
			label: 'Choices',
			description: 'Pick up to two',
			component: {
				type: 3,
				custom_id: 'choices',
				min_values: 1,
				max_values: 2,
				options: [
					{ label: 'Tea', value: 'tea' },
					{ label: 'Coffee', value: 'coffee' },
					{ label: 'Water', value: 'water' }
				]
			}
		},
		{ type: 18, label: 'Who may vote', component: { type: 6, custom_id: 'voters', required: roleSelectRequired, max_values: 1 } }
	]
});

describe('fake modals', () => {
	let fake: FakeDiscord;
	let bot: RawGatewayClient;
	let guild: FakeGuild;
	let alice: FakeUser;
	let voters: FakeRole;
	const callback = (payload: GatewayPayload, body: unknown) =>
		rawRequest(fake.restBase, 'POST', `/interactions/${payload.d.id}/${payload.d.token}/callback`, { body, auth: false });
	const nextInteraction = () => bot.next((payload) => payload.t === 'INTERACTION_CREATE');
	const openModal = async (data: unknown): Promise<{ handle: InteractionHandle; status: number; body: unknown }> => {
		const dispatched = nextInteraction();
		const handle = fake.slash({ user: alice, guildId: guild.id, command: 'poll' });
		const response = await callback(await dispatched, { type: 9, data });
		return { handle, status: response.status, body: response.body };
	};

	beforeEach(async () => {
		fake = await FakeDiscord.start();
		guild = fake.createGuild({ name: 'Modals' });
		voters = fake.createRole(guild.id, { name: 'Voters' });
		alice = fake.createUser({ username: 'alice', locale: 'fr' });
		await rawRequest(fake.restBase, 'POST', `/applications/${fake.applicationId}/commands`, { body: { name: 'poll', description: 'Poll' } });
		bot = await RawGatewayClient.connect(fake.gatewayUrl);
		await bot.identify();
	});
	afterEach(async () => {
		bot.close();
		await fake.close();
	});

	test('GIVEN a modal with Labels WHEN the user submits it THEN type 5 carries the text, the string select values and the resolved role, with the ids Discord gave', async () => {
		const { handle, status } = await openModal(pollModal());
		expect(status).toBe(204);
		await expect(handle.response).resolves.toMatchObject({ type: 9 });
		expect(fake.violations).toEqual([]);

		const submitted = nextInteraction();
		fake.modalSubmit({ from: handle, values: { question: 'Tea or coffee?', choices: ['tea', 'water'], voters: [voters.id] } });
		const { d } = await submitted;
		expect(d).toMatchObject({ type: 5, locale: 'fr', guild_id: guild.id, member: { user: { id: alice.id } } });
		expect(d.data).toEqual({
			custom_id: 'poll:create',
			components: [
				{ type: 10, id: 1 },
				{ type: 18, id: 2, component: { type: 4, id: 3, custom_id: 'question', value: 'Tea or coffee?' } },
				{ type: 18, id: 4, component: { type: 3, id: 5, custom_id: 'choices', values: ['tea', 'water'] } },
				{ type: 18, id: 6, component: { type: 6, id: 7, custom_id: 'voters', values: [voters.id] } }
			],
			resolved: { roles: { [voters.id]: expect.objectContaining({ id: voters.id, name: 'Voters' }) } }
		});
	});

	test('GIVEN an optional select left empty WHEN submitted THEN its values are [] and nothing is resolved', async () => {
		const { handle } = await openModal(pollModal(false));
		const submitted = nextInteraction();
		fake.modalSubmit({ from: handle, values: { question: 'Why?', choices: ['coffee'] } });
		const { d } = await submitted;
		expect(d.data.components[3].component).toEqual({ type: 6, id: 7, custom_id: 'voters', values: [] });
		expect(d.data.resolved).toBeUndefined();
	});

	test('GIVEN what Discord’s client would not let through THEN modalSubmit throws', async () => {
		const { handle } = await openModal(pollModal());
		const values = { question: 'Tea or coffee?', choices: ['tea'], voters: [voters.id] };
		expect(() => fake.modalSubmit({ from: handle, values: { ...values, question: '' } })).toThrow(/required/);
		expect(() => fake.modalSubmit({ from: handle, values: { ...values, question: 'Hi' } })).toThrow(/3\.\.100/);
		expect(() => fake.modalSubmit({ from: handle, values: { ...values, choices: ['tea', 'coffee', 'water'] } })).toThrow(/1\.\.2/);
		expect(() => fake.modalSubmit({ from: handle, values: { ...values, choices: ['milk'] } })).toThrow(/not options/);
		expect(() => fake.modalSubmit({ from: handle, values: { ...values, typo: 'x' } })).toThrow(/no input with custom_id typo/);
		expect(() => fake.modalSubmit({ from: handle, values: { ...values, voters: ['123456789012345678'] } })).toThrow(/not a known role/);
	});

	test.each([
		[
			'six components',
			{
				...pollModal(),
				components: [1, 2, 3, 4, 5, 6].map((n) => ({ type: 18, label: `Q${n}`, component: { type: 4, custom_id: `q${n}`, style: 1 } }))
			},
			['data', 'components']
		],
		[
			'a Label without its label',
			{ ...pollModal(), components: [{ type: 18, component: { type: 4, custom_id: 'q', style: 1 } }] },
			['data', 'components', '0']
		],
		[
			'a select in a Label with max_values above its options',
			{
				...pollModal(),
				components: [
					{ type: 18, label: 'Pick', component: { type: 3, custom_id: 'p', max_values: 3, options: [{ label: 'A', value: 'a' }] } }
				]
			},
			['data', 'components', '0', 'component', 'max_values']
		],
		[
			'a text input in an action row without a label',
			{ ...pollModal(), components: [{ type: 1, components: [{ type: 4, custom_id: 'q', style: 1 }] }] },
			['data', 'components', '0', 'components', '0', 'label']
		],
		[
			'a string select in an action row',
			{ ...pollModal(), components: [{ type: 1, components: [{ type: 3, custom_id: 'p', options: [{ label: 'A', value: 'a' }] }] }] },
			['data', 'components', '0']
		]
	])('GIVEN a modal with %s WHEN the bot opens it THEN 400 Invalid Form Body and a violation; the handle rejects', async (_label, data, path) => {
		const { handle, status, body } = await openModal(data);
		expect(status).toBe(400);
		const node = path.reduce<Record<string, unknown> | undefined>(
			(errors, key) => errors?.[key] as Record<string, unknown> | undefined,
			(body as { errors: Record<string, unknown> }).errors
		);
		expect(node).toBeDefined();
		expect(fake.violations).toEqual([expect.objectContaining({ code: 50035 })]);
		await expect(handle.response).rejects.toThrow(/refused/);
	});
});
