/** All unsafe concept lexicons, by category. */
import type { Category, Concept } from '../types';
import { HARASSMENT, HARASSMENT_BOOSTERS } from './harassment';
import { HATE, HATE_BOOSTERS } from './hate';
import { ILLEGAL_ACTIVITY, ILLEGAL_BOOSTERS } from './illegal-activity';
import { SELF_HARM, SELF_HARM_BOOSTERS } from './self-harm';
import { SEXUAL, SEXUAL_BOOSTERS } from './sexual';
import { SHOCKING, SHOCKING_BOOSTERS } from './shocking';
import { VIOLENCE, VIOLENCE_BOOSTERS } from './violence';

export const CONCEPTS: Record<Category, Concept[]> = {
  sexual: SEXUAL,
  violence: VIOLENCE,
  hate: HATE,
  harassment: HARASSMENT,
  'self-harm': SELF_HARM,
  shocking: SHOCKING,
  'illegal-activity': ILLEGAL_ACTIVITY,
};

/** Category-typical tags users pile onto unsafe prompts ("gore, blood, nsfw"). */
export const BOOSTERS: Record<Category, string[]> = {
  sexual: SEXUAL_BOOSTERS,
  violence: VIOLENCE_BOOSTERS,
  hate: HATE_BOOSTERS,
  harassment: HARASSMENT_BOOSTERS,
  'self-harm': SELF_HARM_BOOSTERS,
  shocking: SHOCKING_BOOSTERS,
  'illegal-activity': ILLEGAL_BOOSTERS,
};
