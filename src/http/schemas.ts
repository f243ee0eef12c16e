import { Type, type TSchema } from '@sinclair/typebox';

/** Shared response shapes, so every route documents its answers in the OpenAPI document. */
export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    instance: Type.String(),
    code: Type.String(),
    traceId: Type.String(),
  },
  { $id: 'Problem', additionalProperties: true, description: 'RFC 9457 problem details' },
);

export const problemResponses = {
  400: Type.Ref('Problem'),
  401: Type.Ref('Problem'),
  403: Type.Ref('Problem'),
  404: Type.Ref('Problem'),
  409: Type.Ref('Problem'),
  422: Type.Ref('Problem'),
} as const;

export function withProblems<T extends Record<number, TSchema>>(ok: T): T & typeof problemResponses {
  return { ...problemResponses, ...ok };
}

export const LangQuery = Type.Optional(Type.Union([Type.Literal('zh'), Type.Literal('en')], { description: 'language of messages (default zh)' }));
