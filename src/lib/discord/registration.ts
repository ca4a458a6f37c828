/** Scopes (`global` or a server id) whose command registration Discord refused during this start. */
export const failedRegistrations = new Set<string>();
