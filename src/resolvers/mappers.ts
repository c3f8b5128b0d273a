/** What resolvers pass between each other for object types (codegen `mappers`): computed fields are lazy. */
import type { ModalityName, Verdict } from '../safety/verdict';

export interface EmbeddingModel {
  modality: ModalityName;
  /** Space components on the hyperboloid. */
  vec: ArrayLike<number>;
}

export interface ClassificationModel {
  verdict: Verdict;
  vec: ArrayLike<number>;
}
