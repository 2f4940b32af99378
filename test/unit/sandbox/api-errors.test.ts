import { describe, expect, it } from 'vitest';
import { ApiError, notFound, statusBody } from '../../../main/sandbox/api-errors';

describe('Status bodies', () => {
  it('name the object of a 404 as the API server does: the resource plural as kind', () => {
    expect(notFound('deployments', 'apps', 'web').toStatus().details).toEqual({
      name: 'web',
      group: 'apps',
      kind: 'deployments',
    });
  });

  it('carry empty details on a 404 that names no object, as kubectl debug expects', () => {
    const status = new ApiError(
      404,
      'NotFound',
      'the server could not find the requested resource',
    ).toStatus();
    expect(status.details).toEqual({});
    expect(statusBody(400, 'BadRequest', 'x').details).toBeUndefined();
  });

  it('carry a continue token in their metadata where one is given', () => {
    const error = new ApiError(410, 'Expired', 'too old', undefined, { continue: 'abc' });
    expect(error.toStatus().metadata).toEqual({ continue: 'abc' });
  });
});
