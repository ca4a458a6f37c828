// Replaced by the approval module.
export async function approvalNotice(_guildId: string): Promise<string | null> {
	return null;
}
