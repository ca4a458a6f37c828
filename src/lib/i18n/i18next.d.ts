import type admin from '../../languages/en-US/admin.json';
import type ballots from '../../languages/en-US/ballots.json';
import type approval from '../../languages/en-US/approval.json';
import type commands from '../../languages/en-US/commands.json';
import type common from '../../languages/en-US/common.json';
import type life from '../../languages/en-US/life.json';
import type faults from '../../languages/en-US/faults.json';
import type polls from '../../languages/en-US/polls.json';
import type settings from '../../languages/en-US/settings.json';

declare module 'i18next' {
	interface CustomTypeOptions {
		defaultNS: 'common';
		resources: {
			admin: typeof admin;
			approval: typeof approval;
			ballots: typeof ballots;
			commands: typeof commands;
			common: typeof common;
			faults: typeof faults;
			life: typeof life;
			polls: typeof polls;
			settings: typeof settings;
		};
		returnNull: false;
	}
}
