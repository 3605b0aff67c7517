import { Injectable } from '@nestjs/common';
import { type Actor, canRead, canWrite, type Panorama } from '../domain/panorama.js';
import { PanoramaNotFoundError } from '../domain/panoramas.errors.js';
import { PanoramaRepository } from './ports/panorama.repository.port.js';

/**
 * Loads a panorama for an actor. Missing, deleted and someone else's all end in the same
 * PanoramaNotFoundError, so ids cannot be probed.
 */
@Injectable()
export class PanoramaAccess {
  constructor(private readonly panoramas: PanoramaRepository) {}

  async readable(actor: Actor, id: string): Promise<Panorama> {
    const panorama = await this.panoramas.findById(id);
    if (!panorama || !canRead(actor, panorama)) throw new PanoramaNotFoundError();
    return panorama;
  }

  async writable(actor: Actor, id: string): Promise<Panorama> {
    const panorama = await this.panoramas.findById(id);
    if (!panorama || !canWrite(actor, panorama)) throw new PanoramaNotFoundError();
    return panorama;
  }
}
