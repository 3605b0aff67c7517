import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';

export type OperationRequest = { operationId?: string };

/**
 * The first global guard: remembers which operation (controller method name = OpenAPI
 * operationId) a request is for, so that what happens later (an error, a metric) can be
 * tied to it. Never refuses anything.
 */
@Injectable()
export class OperationGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    context.switchToHttp().getRequest<OperationRequest>().operationId = context.getHandler().name;
    return true;
  }
}
