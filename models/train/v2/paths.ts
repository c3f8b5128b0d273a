/** Where hysac-mini v2's training reads from and writes to. */
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
/** ../shared/train beside the repository (HYSAC_SHARED_TRAIN overrides). Never ../shared/eval. */
export const SHARED_TRAIN = process.env.HYSAC_SHARED_TRAIN ?? path.resolve(REPO_ROOT, '..', 'shared', 'train');
export const TRAIN_MODULES_V2 = path.join(REPO_ROOT, 'models', 'train', 'node_modules');
/** hysac-mini v2's bundle (not the default: models/hysac-mini, v1, measured better on the detection sets; REPORT.md there). */
export const BUNDLE_DIR = path.join(REPO_ROOT, 'models', 'hysac-mini-v2');
export const CACHE_DIR_V2 = path.join(REPO_ROOT, 'models', 'train', '.cache');
