/** Schemas shared by several routes (also the OpenAPI components). */
import { Type } from 'typebox';

export const Problem = Type.Object(
  {
    type: Type.String({ description: 'URI naming the problem kind' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String({ description: 'what exactly was wrong, and how to fix it' }),
  },
  { $id: 'Problem', additionalProperties: true, description: 'RFC 9457 problem details (application/problem+json)' },
);

export const problemResponses = {
  400: Problem,
  404: Problem,
  503: Problem,
};

export const SceneIdParam = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$', description: 'scene id' });
