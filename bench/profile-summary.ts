/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): where the samples' self time went, by package and by
 * function, and the inclusive time under a few frames that mark a phase of an interaction.
 *
 *   npx tsx bench/profile-summary.ts bench/profiles/CPU.*.cpuprofile [--top 40]
 */
import { readFile } from 'node:fs/promises';

interface Node {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number };
	children?: number[];
}

interface Profile {
	nodes: Node[];
	samples: number[];
	timeDeltas: number[];
	startTime: number;
	endTime: number;
}

/** Inclusive time: a sample counts once under the first (outermost) frame that matches. */
const phases: [string, (node: Node) => boolean][] = [
	['gateway: ws frame → JSON.parse', (n) => /@discordjs\/ws/.test(n.callFrame.url) && /onMessage|unpack/.test(n.callFrame.functionName)],
	['discord.js: INTERACTION_CREATE handler (objects)', (n) => /handlers\/INTERACTION_CREATE|actions\/InteractionCreate/.test(n.callFrame.url)],
	[
		'sapphire: interaction handlers/commands',
		(n) => /@sapphire\/framework/.test(n.callFrame.url) && /Listener|Handler|Command|run/.test(n.callFrame.functionName)
	],
	['postgres.js', (n) => /node_modules\/postgres\//.test(n.callFrame.url)],
	['REST (@discordjs/rest, undici)', (n) => /@discordjs\/rest|undici/.test(n.callFrame.url)],
	['metrics (prom-client, ours)', (n) => /prom-client|dist\/lib\/metrics/.test(n.callFrame.url)],
	['logger', (n) => /dist\/lib\/logger/.test(n.callFrame.url)]
];

function packageOf(url: string, functionName: string): string {
	if (url === '') return functionName.startsWith('(') ? functionName : '(native/builtin)';
	const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
	if (modules) return modules[1]!;
	if (url.startsWith('node:')) return 'node core';
	const ours = /\/dist\/(.*)$/.exec(url);
	if (ours) return `ours: ${ours[1]!.split('/').slice(0, 2).join('/')}`;
	return url;
}

const [file, ...rest] = process.argv.slice(2);
if (!file) throw new Error('usage: profile-summary.ts FILE.cpuprofile [--top N]');
const top = Number(rest[rest.indexOf('--top') + 1] ?? 30) || 30;
const profile = JSON.parse(await readFile(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

const self = new Map<number, number>();
profile.samples.forEach((id, index) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)));
const total = [...self.values()].reduce((a, b) => a + b, 0);
const idle = [...self].filter(([id]) => byId.get(id)!.callFrame.functionName === '(idle)').reduce((a, [, t]) => a + t, 0);
const busy = total - idle;

const byPackage = new Map<string, number>();
const byFunction = new Map<string, number>();
for (const [id, time] of self) {
	const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
	const pkg = packageOf(url, functionName);
	byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + time);
	const key = `${functionName || '(anonymous)'}  ${url.replace(/^.*node_modules\//, '').replace(/^.*\/dist\//, 'dist/')}:${lineNumber + 1}`;
	byFunction.set(key, (byFunction.get(key) ?? 0) + time);
}

const phaseTime = new Map<string, number>();
for (const [id, time] of self) {
	let matched: string | null = null;
	for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
		const node = byId.get(at)!;
		for (const [name, test] of phases) if (test(node)) matched = name;
	}
	if (matched !== null) phaseTime.set(matched, (phaseTime.get(matched) ?? 0) + time);
}

const ms = (us: number) => `${(us / 1000).toFixed(0).padStart(7)} ms`;
const pct = (us: number) => `${((us / busy) * 100).toFixed(1).padStart(5)}%`;
console.log(`${file}\n  wall ${ms(profile.endTime - profile.startTime)}, busy ${ms(busy)}, idle ${ms(idle)}\n`);
console.log('Self time by package (share of busy time):');
for (const [name, time] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`  ${pct(time)} ${ms(time)}  ${name}`);
console.log('\nInclusive time under a phase (outermost match wins):');
for (const [name] of phases) console.log(`  ${pct(phaseTime.get(name) ?? 0)} ${ms(phaseTime.get(name) ?? 0)}  ${name}`);
console.log(`\nTop ${top} functions by self time:`);
for (const [name, time] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(time)} ${ms(time)}  ${name}`);
