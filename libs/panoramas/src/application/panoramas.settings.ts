/** Limits the panorama use cases enforce, bound from configuration by the module. */
export abstract class PanoramasSettings {
  abstract readonly maxUploadBytes: number;
}
