// Loaded first by src/index.ts: plugin registration and framework defaults, before any piece is imported.
import '@sapphire/plugin-i18next/register';
import '@sapphire/plugin-subcommands/register';
import { ApplicationCommandRegistries, RegisterBehavior } from '@sapphire/framework';

// One PUT per scope instead of a GET plus a request per command: fewer requests, faster start-up.
ApplicationCommandRegistries.setDefaultBehaviorWhenNotIdentical(RegisterBehavior.BulkOverwrite);
