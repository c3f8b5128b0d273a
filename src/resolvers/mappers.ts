/** What resolvers pass between each other for object types (codegen `mappers`): computed fields are lazy. */
import type { ImageDecision } from '../safety/decisions';
import type { ModalityName, Verdict } from '../safety/verdict';

export interface EmbeddingModel {
  modality: ModalityName;
  /** Space components on the hyperboloid. */
  vec: ArrayLike<number>;
}

export interface ClassificationModel {
  verdict: Verdict;
  /** The embedding judged; null when the content could not be checked (`checked: false`, fail-closed verdict). */
  vec: ArrayLike<number> | null;
  /** The text judged (for `window`); absent for images. */
  text?: string | null;
}

export interface GenerationModel {
  outcome: 'GENERATED' | 'FLAGGED' | 'REDIRECTED' | 'BLOCKED';
  originalPrompt: string;
  sentPrompt: string | null;
  promptCheck: ClassificationModel;
  sentCheck: ClassificationModel | null;
  backend: string;
  images: GeneratedImageModel[];
}

export interface GeneratedImageModel {
  decision: ImageDecision;
  /** Verdict shown as `check` (the fail-closed one when the image could not be checked). */
  check: ClassificationModel;
}
