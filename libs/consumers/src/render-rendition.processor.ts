import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { RENDER_RENDITION_JOB, RenderRenditionUseCase } from '#renditions';
import { JobQueue } from '#shared-kernel';

/** Makes renditions. An image that cannot be decoded fails its job for good; other errors are retried. */
@Injectable()
export class RenderRenditionProcessor implements OnApplicationBootstrap {
  constructor(
    private readonly queue: JobQueue,
    private readonly render: RenderRenditionUseCase,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.work(RENDER_RENDITION_JOB, ({ renditionId }, attempt) =>
      this.render.execute(renditionId, attempt),
    );
  }
}
