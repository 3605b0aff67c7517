export abstract class CollectionsSettings {
  /** How long a complete collection must stay unchanged before `collection.completed`. */
  abstract readonly settleSeconds: number;
}
