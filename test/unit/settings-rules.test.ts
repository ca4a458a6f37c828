import { UserError } from '@sapphire/framework';
import { describe, expect, test } from 'vitest';
import { Failure, refusalText } from '../../src/lib/failures.js';
import { translator } from '../../src/lib/i18n/index.js';
import { assertMayChangeSettings, languageChoices } from '../../src/lib/settings/service.js';

describe('server settings rules', () => {
	test('GIVEN a member without Manage Server (a server overrode the command permissions) THEN changing settings is refused, in their language', () => {
		let thrown: unknown;
		try {
			assertMayChangeSettings({ guildId: '100000000000000001', manageGuild: false });
		} catch (error) {
			thrown = error;
		}
		expect(thrown).toBeInstanceOf(UserError);
		expect((thrown as UserError).identifier).toBe(Failure.SettingsForbidden);
		expect(refusalText(translator('es-ES'), thrown as UserError)).toBe(
			'Solo los miembros con el permiso «Gestionar servidor» pueden cambiar los ajustes del bot en este servidor.'
		);
	});

	test('GIVEN a member with Manage Server THEN changing settings is allowed', () => {
		expect(() => assertMayChangeSettings({ guildId: '100000000000000001', manageGuild: true })).not.toThrow();
	});

	test('GIVEN the shipped languages THEN /settings language offers automatic, en-US, then the others', () => {
		expect(languageChoices()).toEqual(['automatic', 'en-US', 'de', 'es-ES', 'fr', 'pt-BR']);
	});
});
