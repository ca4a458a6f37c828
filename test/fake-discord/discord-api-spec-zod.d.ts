/**
 * discord-api-spec's package.json points the `./zod` types at a .js file, which TypeScript cannot read without
 * `allowJs`. The fake only calls `safeParse` on the schemas it uses (request bodies, locale codes), so that is all this declares.
 */
declare module 'discord-api-spec/zod' {
	interface SpecSchema {
		safeParse(value: unknown): {
			success: boolean;
			error?: { issues: ReadonlyArray<{ code: string; path: ReadonlyArray<PropertyKey>; [key: string]: unknown }> };
		};
	}
	export const MessageCreateRequestSchema: SpecSchema;
	export const MessageEditRequestPartialSchema: SpecSchema;
	export const IncomingWebhookRequestPartialSchema: SpecSchema;
	export const IncomingWebhookUpdateRequestPartialSchema: SpecSchema;
	export const ApplicationCommandCreateRequestSchema: SpecSchema;
	export const ApplicationCommandPatchRequestPartialSchema: SpecSchema;
	export const ApplicationCommandUpdateRequestSchema: SpecSchema;
	export const CreatePrivateChannelRequestSchema: SpecSchema;
	export const PongInteractionCallbackRequestSchema: SpecSchema;
	export const CreateMessageInteractionCallbackRequestSchema: SpecSchema;
	export const UpdateMessageInteractionCallbackRequestSchema: SpecSchema;
	export const ApplicationCommandAutocompleteCallbackRequestSchema: SpecSchema;
	export const ModalInteractionCallbackRequestSchema: SpecSchema;
	export const AvailableLocalesEnumSchema: SpecSchema;
}
