/**
 * Snowflakes shaped like Discord's: milliseconds since the Discord epoch in the top 42 bits, then worker, process
 * and increment. Real-looking ids matter because `@discordjs/rest` derives rate-limit buckets from the ids in a route,
 * and because the gateway routes a guild to shard `(id >> 22) % shardCount`.
 */
const DISCORD_EPOCH = 1_420_070_400_000n;

export class SnowflakeGenerator {
	private increment = 0n;

	public constructor(private readonly now: () => number = Date.now) {}

	public next(): string {
		const timestamp = BigInt(this.now()) - DISCORD_EPOCH;
		const workerAndProcess = 1n << 17n; // worker 1, process 0
		const id = (timestamp << 22n) | workerAndProcess | (this.increment++ & 0xfffn);
		return id.toString();
	}
}

/** The creation time a snowflake encodes, as epoch milliseconds. */
export function snowflakeTimestamp(id: string): number {
	return Number((BigInt(id) >> 22n) + DISCORD_EPOCH);
}

/** The shard a guild's events go to, per Discord's sharding formula. */
export function shardForGuild(guildId: string, shardCount: number): number {
	return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}
