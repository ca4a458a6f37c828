/**
 * The playground in a real browser: Debian's Chromium driven by playwright-core (never a downloaded browser).
 * The page talks to the playground server, which drives the fake Discord; the bot is the real built process.
 *
 * Without Chromium the test is skipped on a developer machine (with a message saying how to enable it) and fails
 * in CI, where `.ci/run` installs it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { projectRoot, startPlayground, type Playground } from '../../playground/playground.js';
import type { PersonKey } from '../../playground/world.js';
import type { InteractionRecord } from '../fake-discord/index.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

/** German command words as registered: the test follows the message tree, whoever rewords it. */
const germanCommands = JSON.parse(readFileSync(join(projectRoot, 'src/languages/de/commands.json'), 'utf8')) as {
	poll: { description: string; list: { description: string }; create: { question: { description: string } } };
};

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const browserMissing = !existsSync(chromiumPath);
const inCi = Boolean(process.env.CI);
/** `UPDATE_DOCS_SCREENSHOT=1 npm test` refreshes the READMEs' pictures; otherwise they go to test-results/. */
const pictureIn = (docsFolder: string, name: string) =>
	process.env.UPDATE_DOCS_SCREENSHOT ? join(projectRoot, docsFolder, name) : join(projectRoot, 'test-results', name);
const screenshotPath = pictureIn('docs', 'playground-poll.png');
const exportScreenshotPath = pictureIn('playground', 'playground-export.png');
const multipleChoiceScreenshotPath = pictureIn('playground', 'playground-multiple-choice.png');
const rankedBallotScreenshotPath = pictureIn('playground', 'playground-ranked-ballot.png');

if (browserMissing && !inCi) {
	console.warn(
		`Skipping the playground browser test: no Chromium at ${chromiumPath}. Install it with \`apt-get install chromium\` (or set CHROMIUM_PATH).`
	);
}

describe.skipIf(browserMissing && !inCi)('playground in a real browser', () => {
	let database: TestDatabase | undefined;
	let dataDirectory: string | undefined;
	let playground: Playground | undefined;
	let browser: BrowserContext | undefined;
	let page: Page;
	const botLines: string[] = [];
	const pageProblems: string[] = [];
	const outsideRequests: string[] = [];

	beforeAll(async () => {
		if (browserMissing)
			throw new Error(
				`CI is set and there is no Chromium at ${chromiumPath}: .ci/run must \`apt-get install -y chromium\` before \`npm test\`.`
			);
		database = await createTestDatabase();
		dataDirectory = await mkdtemp(join(tmpdir(), 'playground-e2e-'));
		playground = await startPlayground({
			dataDirectory,
			databaseUrl: database.url,
			reset: false,
			port: 0,
			log: () => undefined,
			onBotLine: (line) => botLines.push(line),
			onBotExit: (code, signal) => botLines.push(`!! the bot exited: code ${code}, signal ${signal}`)
		});
		browser = await chromium.launchPersistentContext(join(dataDirectory, 'browser-profile'), {
			executablePath: chromiumPath,
			headless: true,
			args: [
				'--no-sandbox',
				'--disable-gpu',
				'--disable-background-networking',
				'--disable-component-update',
				'--disable-sync',
				'--no-first-run',
				'--disable-quic'
			],
			viewport: { width: 1280, height: 800 }
		});
		page = browser.pages()[0] ?? (await browser.newPage());
		page.setDefaultTimeout(10_000);
		page.on('pageerror', (error) => pageProblems.push(`page error: ${error.message}`));
		page.on('console', (message) => {
			if (message.type() === 'error') pageProblems.push(`console error: ${message.text()}`);
		});
		page.on('request', (request) => {
			if (new URL(request.url()).hostname !== '127.0.0.1') outsideRequests.push(request.url());
		});
		await page.goto(playground.url);
		await page.waitForSelector('body[data-ready="true"]');
	}, 90_000);

	afterEach(async (context) => {
		if (context.task.result?.state !== 'fail' || !page) return;
		const failurePath = join(projectRoot, 'test-results', 'playground-failure.png');
		await mkdir(join(failurePath, '..'), { recursive: true });
		await page.screenshot({ path: failurePath }).catch(() => undefined);
		const composerError = await page.textContent('#composer-error').catch(() => null);
		console.error(
			`\n===== playground failure: screenshot in ${failurePath}; composer error: ${composerError ?? 'none'}\n${pageProblems.join('\n')}\n===== bot output =====\n${botLines.join('\n')}`
		);
	});

	afterAll(async () => {
		await browser?.close();
		await playground?.close();
		await database?.drop();
		if (dataDirectory) await rm(dataDirectory, { recursive: true, force: true });
	});

	const person = (key: PersonKey) => playground!.world.people.find((candidate) => candidate.key === key)!;
	const actAs = (key: PersonKey) => page.selectOption('#user-switcher', person(key).id);
	const message = (text: string | RegExp) => page.locator('#messages discord-message', { hasText: text });
	const openServer = (name: string) => page.locator(`#guild-list button[data-guild-name="${name}"]`).click();
	const send = async (text: string) => {
		await page.fill('#message-input', text);
		await page.press('#message-input', 'Enter');
	};

	test('GIVEN a new server WHEN the owner approves it from the DM, a member creates a poll, two members vote and it is closed THEN the page shows every step live', async () => {
		// A member invites the bot to a new server: the owner gets the approval request in DMs.
		await actAs('alice');
		await page.click('#add-server');
		await page.fill('#new-server-name', 'Lunch Club');
		await page.click('#new-server-create');
		await expect.poll(() => page.locator('#sidebar-title').textContent()).toBe('Lunch Club');

		// Before approval the bot answers, but lets nobody use it yet.
		await send('/poll create question: Too early? options: Yes | No');
		await message(/waiting for approval|not approved/i).waitFor();

		await actAs('owner');
		await page.locator('#home .badge').waitFor({ state: 'visible' });
		await page.click('#home');
		const request = message('Lunch Club').filter({ has: page.locator('discord-button', { hasText: 'Approve' }) });
		await request.waitFor();
		await request.locator('discord-button', { hasText: 'Approve' }).click();
		// The DM is edited in place: approved, both buttons disabled.
		await expect.poll(() => request.locator('discord-embed').getAttribute('embed-title')).toBe('Server approved');
		await expect(request.locator('discord-button[disabled]').count()).resolves.toBe(2);

		// /ping in DMs: the suggestion is picked with Enter, a second Enter sends; the answer is ephemeral.
		await page.fill('#message-input', '/pi');
		await page.locator('#suggestions .suggestion', { hasText: '/ping' }).waitFor();
		await page.press('#message-input', 'Enter');
		await expect(page.inputValue('#message-input')).resolves.toBe('/ping ');
		await page.press('#message-input', 'Enter');
		const pong = message('Pong!');
		await pong.waitFor();
		await expect(pong.getAttribute('ephemeral')).resolves.toBe('');
		await pong.getByText('Only you can see this').waitFor({ state: 'visible' });

		// In the approved server a plain member sees the commands the bot registered, /admin and /settings hidden
		// from them (their default_member_permissions); Alice owns the server, so she sees them.
		await actAs('bob');
		await openServer('Lunch Club');
		await page.fill('#message-input', '/');
		const suggestions = page.locator('#suggestions .suggestion .name');
		await suggestions.first().waitFor();
		await expect(suggestions.allTextContents()).resolves.toEqual(['/help', '/ping', '/poll']);
		await send('/help');
		await message('Commands you can use here').waitFor();

		await actAs('alice');
		await page.fill('#message-input', '/');
		await suggestions.first().waitFor();
		await expect(suggestions.allTextContents()).resolves.toEqual(['/admin', '/help', '/ping', '/poll', '/settings']);

		// Typed options with their descriptions come from the registered command.
		await page.fill('#message-input', '/poll create ');
		await page.locator('#suggestions .suggestion', { hasText: 'question:' }).waitFor();
		await expect(page.locator('#suggestions .suggestion[data-name="role:"]').textContent()).resolves.toContain('role');
		await send('/poll create question: Lunch today? options: Pizza | Sushi | Tacos');
		const poll = message('Lunch today?').filter({ has: page.locator('discord-button', { hasText: 'Pizza' }) });
		await poll.waitFor();
		await expect(poll.locator('discord-command').getAttribute('command')).resolves.toBe('/poll create');

		// Two members vote; each sees only their own confirmation, everyone sees the counts change.
		await actAs('bob');
		await poll.locator('discord-button', { hasText: 'Pizza' }).click();
		await message('Your vote in poll #1').waitFor();
		await expect.poll(() => poll.locator('discord-embed-field').first().textContent(), { timeout: 10_000 }).toContain('1 vote · 100%');

		await actAs('charlie');
		await expect(message('Your vote in poll #1').count()).resolves.toBe(0);
		await poll.locator('discord-button', { hasText: 'Sushi' }).click();
		await message('Your vote in poll #1: Sushi').waitFor();
		await expect.poll(() => poll.locator('discord-embed-field').nth(1).textContent(), { timeout: 10_000 }).toContain('1 vote · 50%');
		await expect(poll.locator('discord-embed-field').first().textContent()).resolves.toContain('1 vote · 50%');
		await mkdir(join(screenshotPath, '..'), { recursive: true });
		await page.screenshot({ path: screenshotPath });

		// The creator closes it with /poll close, picking the poll from the bot's own autocomplete answers.
		await actAs('alice');
		await page.fill('#message-input', '/poll close poll: ');
		await page.locator('#suggestions .suggestion', { hasText: 'Lunch today?' }).waitFor();
		await page.press('#message-input', 'Enter');
		await page.press('#message-input', 'Enter');
		await expect.poll(() => poll.locator('discord-embed').getAttribute('embed-title'), { timeout: 10_000 }).toBe('Poll #1 (closed)');
		// Every button but My vote, which keeps answering after the close.
		await expect(poll.locator('discord-button[disabled]').count()).resolves.toBe(4);
		await expect(poll.locator('discord-embed-description').textContent()).resolves.toContain('Tie: Pizza, Sushi');

		expect(pageProblems).toEqual([]);
		expect(outsideRequests, 'the page loaded something from outside this machine').toEqual([]);
		expect(playground!.fake.protocolProblems(), 'the bot broke Discord rules').toEqual([]);
	}, 120_000);

	test('GIVEN a server approved with /admin and its autocomplete WHEN a poll is restricted to a role THEN only the member holding it may vote', async () => {
		await actAs('morgan');
		await page.click('#add-server');
		await page.fill('#new-server-name', 'Book Club');
		await page.click('#new-server-create');
		await expect.poll(() => page.locator('#sidebar-title').textContent()).toBe('Book Club');

		// The owner approves it with /admin approve, picking the server from the bot's autocomplete answers.
		await actAs('owner');
		await page.click('#home');
		await page.fill('#message-input', '/admin approve server: Book');
		await page.locator('#suggestions .suggestion', { hasText: 'Book Club (pending)' }).waitFor();
		await page.press('#message-input', 'Enter');
		await expect(page.inputValue('#message-input')).resolves.toBe('/admin approve server: Book Club (pending) ');
		await page.press('#message-input', 'Enter');
		await message(/Book Club.*pending → approved/).waitFor();

		// A role option takes the role's name; the page sends its id.
		await actAs('morgan');
		await openServer('Book Club');
		await send('/poll create question: Next book? options: Dune | Emma role: Voters');
		const poll = message('Next book?').filter({ has: page.locator('discord-button', { hasText: 'Dune' }) });
		await poll.waitFor();
		await expect(poll.locator('discord-embed-description discord-mention[type="role"]').textContent()).resolves.toBe('Voters');

		await actAs('bob');
		await poll.locator('discord-button', { hasText: 'Dune' }).click();
		await message(/only .*Voters/i)
			.filter({ hasNot: page.locator('discord-embed') })
			.waitFor();
		await actAs('vera');
		await poll.locator('discord-button', { hasText: 'Emma' }).click();
		await message('Your vote in poll #1: Emma').waitFor();
		await expect.poll(() => poll.locator('discord-embed-field').nth(1).textContent(), { timeout: 10_000 }).toContain('1 vote · 100%');

		// A multiple-choice poll has a select menu: tick two options, then submit.
		await actAs('morgan');
		await send('/poll create question: Which genres? options: Sci-fi | Poetry | Essays max_choices: 2');
		const genres = message('Which genres?').filter({ has: page.locator('discord-string-select-menu') });
		await genres.waitFor();
		await actAs('charlie');
		await genres.locator('discord-string-select-menu').click();
		// The poll is the last message, right above the message box: the open list must open upward, uncut.
		const list = genres.locator('discord-string-select-menu');
		const listBox = () =>
			list.evaluate((menu) => {
				const slot = menu.shadowRoot!.querySelector('.discord-string-select-menu-option-slot')!.getBoundingClientRect();
				const scroller = menu.ownerDocument.querySelector('#message-scroller')!.getBoundingClientRect();
				return { top: slot.top, bottom: slot.bottom, scrollerTop: scroller.top, scrollerBottom: scroller.bottom };
			});
		const opened = await listBox();
		expect(opened.bottom).toBeLessThanOrEqual(opened.scrollerBottom);
		expect(opened.top).toBeGreaterThanOrEqual(opened.scrollerTop);
		await genres.locator('discord-string-select-menu-option[data-value="0"]').click();
		await genres.locator('discord-string-select-menu-option[data-value="2"]').click();
		// Two of two picked: the third is disabled, a click on it changes nothing, and the list says why.
		const third = genres.locator('discord-string-select-menu-option[data-value="1"]');
		await expect(third.getAttribute('aria-disabled')).resolves.toBe('true');
		await third.click();
		await expect(list.getAttribute('placeholder')).resolves.toBe('Sci-fi, Essays');
		await expect(genres.locator('.select-limit').textContent()).resolves.toBe('You can pick up to 2 options.');
		await expect(genres.locator('.select-limit').isVisible()).resolves.toBe(true);
		await mkdir(join(multipleChoiceScreenshotPath, '..'), { recursive: true });
		await page.locator('#message-scroller').screenshot({ path: multipleChoiceScreenshotPath });
		// The Submit button sits on the menu's line, centred with it.
		const centres = await genres.evaluate((node) => {
			const menu = node.querySelector('discord-string-select-menu')!.shadowRoot!.querySelector('label')!.getBoundingClientRect();
			const submit = node.querySelector('discord-button[data-submit-for]')!.getBoundingClientRect();
			return { menu: menu.top + menu.height / 2, submit: submit.top + submit.height / 2, gap: submit.left - menu.right };
		});
		expect(Math.abs(centres.menu - centres.submit)).toBeLessThanOrEqual(2);
		expect(centres.gap).toBeGreaterThanOrEqual(4);
		expect(centres.gap).toBeLessThanOrEqual(16);
		await genres.locator('discord-button[data-submit-for]').click();
		await message('Your vote in poll #2: Sci-fi, Essays').waitFor();
		// The share of voters who picked it: the one voter picked two options, each by all voters.
		await expect.poll(() => genres.locator('discord-embed-field').nth(2).textContent(), { timeout: 10_000 }).toContain('1 vote · 100%');
		expect(playground!.fake.protocolProblems()).toEqual([]);
	}, 60_000);

	test('GIVEN complete commands, limits and unknown option names WHEN typed in the composer THEN one Enter sends, the limits are enforced and nothing is lost silently', async () => {
		await actAs('alice');
		await openServer('Lunch Club');
		const answers = (name: string) => page.locator(`#messages discord-message:has(discord-command[command="${name}"])`);

		// The hint under a subcommand is the subcommand's own description.
		await page.fill('#message-input', '/poll list ');
		await expect(page.locator('#suggestions .suggestion-hint').textContent()).resolves.toBe(
			'List this server’s polls, open and closed · press Enter to send'
		);
		// Typed out in full, with its suggestion highlighted: one Enter sends it.
		await page.fill('#message-input', '/poll list');
		await page.locator('#suggestions .suggestion.highlighted', { hasText: 'list' }).waitFor();
		await page.press('#message-input', 'Enter');
		await answers('/poll list').waitFor();
		await expect(page.inputValue('#message-input')).resolves.toBe('');

		// `poll: 1` names the poll as the bot's autocomplete does: one Enter sends, without rewriting it.
		await page.fill('#message-input', '/poll export poll: 1');
		await page.locator('#suggestions .suggestion', { hasText: 'Lunch today?' }).waitFor();
		await page.press('#message-input', 'Enter');
		const exported = message('Results of poll #1.');
		await exported.waitFor();
		await expect(page.inputValue('#message-input')).resolves.toBe('');
		// The files: name, size and a link that downloads the bytes the bot uploaded.
		const counts = exported.locator('.attachment[data-filename="poll-1.csv"]');
		await expect(counts.locator('.attachment-name').textContent()).resolves.toBe('poll-1.csv');
		const uploaded = playground!.fake.messages(
			await exported.evaluate((node) => node.id.replace('message-', '')).then((id) => playground!.fake.message(id)!.channel_id)
		);
		const file = uploaded.flatMap((stored) => stored.attachments).find((attachment) => attachment.filename === 'poll-1.csv')!;
		await expect(counts.locator('.attachment-size').textContent()).resolves.toBe(`${file.size} bytes`);
		const href = await counts.locator('a.attachment-download').getAttribute('href');
		await expect(page.evaluate((url) => fetch(url!).then((response) => response.text()), href)).resolves.toBe(file.text);
		await expect(exported.locator('.attachment[data-filename="poll-1-votes.csv"]').count()).resolves.toBe(1);
		await mkdir(join(exportScreenshotPath, '..'), { recursive: true });
		await exported.screenshot({ path: exportScreenshotPath });

		// An image is shown inline (posted here through the fake's REST API, as the bot would post a chart).
		const chart = await page.screenshot({ clip: { x: 0, y: 0, width: 120, height: 60 } });
		const form = new FormData();
		form.append('payload_json', JSON.stringify({ content: 'A chart', attachments: [{ id: '0', filename: 'chart.png' }] }));
		form.append('files[0]', new Blob([chart], { type: 'image/png' }), 'chart.png');
		const channelId = playground!.fake.guild(playground!.world.guildIds[1]!).defaultChannelId;
		const posted = await fetch(`${playground!.fake.restBase}/v10/channels/${channelId}/messages`, {
			method: 'POST',
			headers: { authorization: 'Bot playground-test' },
			body: form
		});
		expect(posted.status).toBe(200);
		const image = message('A chart').locator('.attachment[data-filename="chart.png"] img.attachment-image');
		await image.waitFor();
		await expect.poll(() => image.evaluate((node) => (node as unknown as { naturalWidth: number }).naturalWidth)).toBe(120);

		// A link to a message is a pill naming its channel; a message's time reads "Today at ...".
		// The channel's notice and the closer's own answer both say so, each with the poll's link.
		const closedNotice = message('Poll #1 is closed.').last();
		await expect(closedNotice.locator('a.md-message-link').textContent()).resolves.toBe('#general›💬');
		await expect(closedNotice.textContent()).resolves.not.toContain('https://');
		await expect(closedNotice.evaluate((node) => node.shadowRoot!.querySelector('time.discord-message-timestamp')!.textContent)).resolves.toMatch(
			/^Today at \d{1,2}:\d{2}\s?[AP]M$/
		);

		// An unknown option name is flagged, not swallowed into the previous value.
		await page.fill('#message-input', '/poll create question: Colours? options: a | b colour: red');
		await expect(page.locator('#suggestions .suggestion-hint').textContent()).resolves.toContain('"colour" is not an option of /poll create');
		await page.press('#message-input', 'Enter');
		await expect(page.locator('#composer-error').textContent()).resolves.toContain('"colour" is not an option of /poll create');

		// The registered limits are checked before sending, as Discord's client does; the text stays to be fixed.
		const longQuestion = `/poll create question: ${'x'.repeat(355)} options: a | b`;
		await page.fill('#message-input', longQuestion);
		await page.press('#message-input', 'Enter');
		await expect(page.locator('#composer-error').textContent()).resolves.toBe('question must be at most 300 characters long (it is 355).');
		await expect(page.inputValue('#message-input')).resolves.toBe(longQuestion);
		await send('/poll create question: Many? options: a | b max_choices: 30');
		await expect(page.locator('#composer-error').textContent()).resolves.toBe('max_choices must be at most 25.');
		await send('/poll create options: a | b');
		await expect(page.locator('#composer-error').textContent()).resolves.toBe('Missing required option: question.');
		await send('/admin servers status: maybe');
		await expect(page.locator('#composer-error').textContent()).resolves.toMatch(/^status must be one of: /);
		expect(
			playground!.fake.messages(channelId).some((stored) => stored.embeds.length > 0 && JSON.stringify(stored.embeds).includes('Colours?'))
		).toBe(false);

		// A refusal that still gets through (here one the page cannot foresee) is shown and keeps the text.
		await page.route(
			'**/api/slash',
			(route) =>
				route.fulfill({
					status: 400,
					contentType: 'application/json',
					body: JSON.stringify({ error: 'option question: longer than max_length 300' })
				}),
			{ times: 1 }
		);
		const problemsBefore = pageProblems.length;
		await send('/ping');
		await expect
			.poll(() => page.locator('#composer-error').textContent())
			.toBe('Discord refused the command: option question: longer than max_length 300');
		await expect(page.inputValue('#message-input')).resolves.toBe('/ping');
		// Chromium logs the refused request itself: that line is this step's doing, not a problem of the page.
		await expect.poll(() => pageProblems.length).toBe(problemsBefore + 1);
		expect(pageProblems.splice(problemsBefore)).toEqual([expect.stringContaining('status of 400')]);

		// A server owner who is not the bot's owner is refused /admin once, in the channel only.
		await send('/admin pending');
		const refusal = message('Only the bot’s owner can do that.');
		await refusal.waitFor();
		await page.waitForTimeout(500);
		await expect(refusal.count()).resolves.toBe(1);
		await expect(page.locator('#suggestions').evaluate((box) => (box.hidden ? '' : box.textContent))).resolves.not.toContain('owner');
		await expect(page.locator('#composer-error').evaluate((box) => (box.hidden ? '' : box.textContent))).resolves.toBe('');
		// Likewise in the DMs, where /admin is offered to everyone.
		await page.click('#home');
		await send('/admin pending');
		await refusal.waitFor();
		await page.waitForTimeout(500);
		await expect(refusal.count()).resolves.toBe(1);
		await expect(page.locator('#composer-error').evaluate((box) => (box.hidden ? '' : box.textContent))).resolves.toBe('');

		expect(pageProblems).toEqual([]);
		expect(playground!.fake.protocolProblems()).toEqual([]);
	}, 60_000);

	test('GIVEN a pending server WHEN the owner denies it from the DM THEN the bot leaves it, the server stays listed and says so, with no command left', async () => {
		await actAs('owner');
		await page.click('#home');
		const request = message('Playground').filter({ has: page.locator('discord-button', { hasText: 'Deny' }) });
		await request.locator('discord-button', { hasText: 'Deny' }).click();
		await expect.poll(() => request.locator('discord-embed').getAttribute('embed-title')).toBe('Server denied');
		await expect.poll(() => playground!.fake.isBotInGuild(playground!.world.guildIds[0]!)).toBe(false);
		// On Discord the server stays in its members' lists; only the bot is gone.
		await expect
			.poll(() => page.locator('#guild-list button').evaluateAll((buttons) => buttons.map((button) => button.getAttribute('data-guild-name'))))
			.toEqual(['Playground', 'Lunch Club', 'Book Club']);
		await openServer('Playground');
		await expect(page.locator('#messages .bot-left').textContent()).resolves.toContain('DiscordTestBot left this server');
		await page.fill('#message-input', '/');
		await expect(page.locator('#suggestions .suggestion-hint').textContent()).resolves.toBe('The bot registered no command you can use here.');
		expect(pageProblems).toEqual([]);
		expect(outsideRequests).toEqual([]);
		expect(playground!.fake.protocolProblems()).toEqual([]);
	}, 30_000);
	test('GIVEN the member’s language set to German WHEN they open the / picker and send a command from it THEN the names, descriptions and answer are German and the interaction carries the English name', async () => {
		const dispatched: InteractionRecord[] = [];
		playground!.fake.on('interaction', (record) => dispatched.push(record));
		await actAs('alice');
		await openServer('Lunch Club');
		await page.selectOption('#member-language', 'de');
		await expect.poll(() => playground!.world.people.find((candidate) => candidate.key === 'alice')!.locale).toBe('de');

		// The picker shows the registered name_localizations and description_localizations for de.
		const suggestions = page.locator('#suggestions .suggestion .name');
		await expect
			.poll(async () => {
				await page.fill('#message-input', '/');
				return suggestions.allTextContents();
			})
			.toEqual(['/admin', '/einstellungen', '/hilfe', '/ping', '/umfrage']);
		await expect(page.locator('#suggestions .suggestion', { hasText: '/umfrage' }).locator('.description').textContent()).resolves.toBe(
			germanCommands.poll.description
		);
		await page.fill('#message-input', '/umfrage liste ');
		await expect(page.locator('#suggestions .suggestion-hint').textContent()).resolves.toBe(
			`${germanCommands.poll.list.description} · press Enter to send`
		);
		await page.fill('#message-input', '/umfrage erstellen ');
		await page.locator('#suggestions .suggestion', { hasText: 'frage:' }).waitFor();
		await expect(page.locator('#suggestions .suggestion', { hasText: 'frage:' }).locator('.description').textContent()).resolves.toBe(
			germanCommands.poll.create.question.description
		);

		// Picked with Enter, typed on in German, the poll chosen from the bot's autocomplete answer: the bot gets
		// /poll results with option poll, and answers in German, to her only.
		await page.fill('#message-input', '/umf');
		await page.locator('#suggestions .suggestion.highlighted', { hasText: '/umfrage' }).waitFor();
		await page.press('#message-input', 'Enter');
		await expect(page.inputValue('#message-input')).resolves.toBe('/umfrage ');
		await page.type('#message-input', 'ergebnisse umfrage: Lunch');
		await page.locator('#suggestions .suggestion', { hasText: 'Lunch today?' }).waitFor();
		await page.press('#message-input', 'Enter');
		await page.press('#message-input', 'Enter');
		const answer = message('Umfrage #1 (beendet): Lunch today?');
		await answer.waitFor();
		await expect(answer.getAttribute('ephemeral')).resolves.toBe('');
		await expect(answer.locator('discord-command').getAttribute('command')).resolves.toBe('/poll results');
		const sent = dispatched.filter((record) => record.type === 2).at(-1)!;
		expect(sent.payload).toMatchObject({
			locale: 'de',
			data: { name: 'poll', options: [{ name: 'results', options: [{ name: 'poll', value: expect.any(String) }] }] }
		});

		// The registered English name still works, as in Discord's client.
		await send('/poll results poll: 1');
		await expect.poll(() => message('Umfrage #1 (beendet): Lunch today?').count()).toBe(2);
		expect(pageProblems).toEqual([]);
		expect(playground!.fake.protocolProblems()).toEqual([]);
	}, 60_000);

	test('GIVEN the server language set to French WHEN a poll is created THEN the poll message is French; a member whose language the bot lacks (ko) sees English names and gets French answers', async () => {
		await actAs('bob');
		await openServer('Lunch Club');
		// Discord's server setting: only a member with Manage Server may change it.
		await expect(page.locator('#server-language').isDisabled()).resolves.toBe(true);

		await actAs('alice');
		await expect(page.locator('#server-language').isDisabled()).resolves.toBe(false);
		await page.selectOption('#server-language', 'fr');
		await expect.poll(() => playground!.fake.guild(playground!.world.guildIds[1]!).locale).toBe('fr');
		await send('/umfrage erstellen frage: Fromage ? optionen: Brie | Comté');
		const poll = message('Fromage ?').filter({ has: page.locator('discord-button', { hasText: 'Brie' }) });
		await poll.waitFor();
		await expect(poll.locator('discord-embed').getAttribute('embed-title')).resolves.toBe('Sondage n° 2');
		await expect(poll.locator('discord-embed-description').textContent()).resolves.toContain('Votants : 0');

		// ko is not shipped: the picker keeps the registered (English) names, the bot answers in the server's language.
		await actAs('bob');
		await page.selectOption('#member-language', 'ko');
		await expect
			.poll(async () => {
				await page.fill('#message-input', '/');
				return page.locator('#suggestions .suggestion .name').allTextContents();
			})
			.toEqual(['/help', '/ping', '/poll']);
		await send('/poll results poll: x');
		await message('« x » n’est pas un numéro de sondage').waitFor();
		expect(pageProblems).toEqual([]);
		expect(playground!.fake.protocolProblems()).toEqual([]);
	}, 60_000);

	test('GIVEN a ranked poll WHEN a member clicks Rank, picks a 1st and 2nd choice in the dialog and submits THEN the ephemeral answer confirms the ballot; once closed the message shows its chart', async () => {
		const dispatched: InteractionRecord[] = [];
		playground!.fake.on('interaction', (record) => dispatched.push(record));
		await actAs('morgan');
		await openServer('Book Club');
		await send('/poll create question: Best season? options: Spring | Summer | Autumn ranked: True');
		const poll = message('Best season?').filter({ has: page.locator('discord-button', { hasText: 'Rank' }) });
		await poll.waitFor();

		// Rank opens the bot's modal as Discord's client does: a dialog with its title, each Label's label and
		// description, one menu per rank, Cancel and Submit.
		await actAs('charlie');
		await poll.locator('discord-button', { hasText: 'Rank' }).click();
		const dialog = page.locator('#modal-dialog');
		await dialog.waitFor({ state: 'visible' });
		await expect(dialog.locator('#modal-title').textContent()).resolves.toBe('Your ranking, poll #3');
		await expect(dialog.locator('.modal-label').allTextContents()).resolves.toEqual(['Choice 1', 'Choice 2', 'Choice 3']);
		await expect(dialog.locator('.modal-description').allTextContents()).resolves.toEqual([
			'Leave empty to remove your ballot',
			'Optional',
			'Optional'
		]);
		const menu = (rank: number) => dialog.locator(`select[name="r${rank}"]`);
		await expect(menu(1).locator('option').allTextContents()).resolves.toEqual(['No choice', 'Spring', 'Summer', 'Autumn']);
		await expect(dialog.locator('#modal-submit').textContent()).resolves.toBe('Submit');

		// Cancel closes it and sends nothing.
		const before = dispatched.length;
		await dialog.locator('#modal-cancel').click();
		await dialog.waitFor({ state: 'hidden' });
		expect(dispatched.length).toBe(before);

		await poll.locator('discord-button', { hasText: 'Rank' }).click();
		await dialog.waitFor({ state: 'visible' });
		await menu(1).selectOption({ label: 'Autumn' });
		await menu(2).selectOption({ label: 'Spring' });
		await mkdir(join(rankedBallotScreenshotPath, '..'), { recursive: true });
		await page.screenshot({ path: rankedBallotScreenshotPath });
		await dialog.locator('#modal-submit').click();
		await dialog.waitFor({ state: 'hidden' });
		const confirmation = message('Your ballot in poll #3: 1. Autumn, 2. Spring.');
		await confirmation.waitFor();
		await expect(confirmation.getAttribute('ephemeral')).resolves.toBe('');
		// The submission is Discord's: a MODAL_SUBMIT with the modal's custom id and each menu's values, Labels kept.
		const submitted = dispatched.filter((record) => record.type === 5).at(-1)!;
		const { data } = submitted.payload as {
			data: { custom_id: string; components: Array<{ type: number; component: { custom_id: string; values: string[] } }> };
		};
		expect(data.custom_id).toBe(`pb:${playground!.world.guildIds[2]}:3`);
		expect(data.components.map((label) => [label.type, label.component.custom_id, label.component.values])).toEqual([
			[18, 'r1', ['2']],
			[18, 'r2', ['0']],
			[18, 'r3', []]
		]);
		await actAs('morgan');
		await expect(message('Your ballot in poll #3').count()).resolves.toBe(0);

		// Closed, the poll's embed shows the chart the bot attached, a PNG served by the playground that loaded.
		await poll.locator('discord-button', { hasText: 'Close' }).click();
		await expect.poll(() => poll.locator('discord-embed').getAttribute('embed-title'), { timeout: 10_000 }).toBe('Poll #3 (closed)');
		const chart = poll.locator('discord-embed img.discord-embed-image');
		await chart.waitFor();
		await expect.poll(() => chart.evaluate((node) => (node as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);
		const source = await chart.getAttribute('src');
		const png = await page.evaluate(
			(url) =>
				fetch(url!).then(async (response) => ({
					type: response.headers.get('content-type'),
					head: [...new Uint8Array(await response.arrayBuffer()).slice(0, 4)]
				})),
			source
		);
		expect(png).toEqual({ type: 'image/png', head: [0x89, 0x50, 0x4e, 0x47] });
		// As in Discord's client, the file the embed shows is not listed again under the message.
		await expect(poll.locator('.attachment').count()).resolves.toBe(0);
		// The channel's closing notice carries the chart too, inline.
		const notice = message('Poll #3 is closed.').locator('img.attachment-image');
		await notice.waitFor();
		await expect.poll(() => notice.evaluate((node) => (node as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);

		expect(pageProblems).toEqual([]);
		expect(outsideRequests).toEqual([]);
		expect(playground!.fake.protocolProblems()).toEqual([]);
	}, 60_000);
});
