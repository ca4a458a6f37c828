import type admin from '../../languages/en-US/admin.json';
import type approval from '../../languages/en-US/approval.json';
import type commands from '../../languages/en-US/commands.json';
import type common from '../../languages/en-US/common.json';
import type faults from '../../languages/en-US/faults.json';
import type polls from '../../languages/en-US/polls.json';

declare module 'i18next' {
	interface CustomTypeOptions {
		defaultNS: 'common';
		resources: {
			admin: typeof admin;
			approval: typeof approval;
			commands: typeof commands;
			common: typeof common;
			faults: typeof faults;
			polls: typeof polls;
		};
		returnNull: false;
	}
}
