/**
 * zod/mini ships without messages: until a locale is set, every issue reads
 * "Invalid input". Classic zod installs English on first use; the functions
 * use zod/mini for a cheaper cold start, so the modules that turn issues into
 * text (problem+json for callers, configuration errors) import this first.
 */
import { config } from 'zod/mini';
import { globalConfig } from 'zod/v4/core';
import en from 'zod/v4/locales/en.js';

// Only when none is set, as classic zod does: a locale the application chose stays.
if (!globalConfig.localeError) config(en());
