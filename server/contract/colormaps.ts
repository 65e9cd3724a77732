/** Colormaps as legend data. */
import { Type, type Static } from 'typebox';

const Stop = Type.Object({ value: Type.Number({ description: '0..1 along the ramp' }), color: Type.String({ description: '#rrggbb' }) }, { additionalProperties: false });

const base = { name: Type.String(), title: Type.String(), description: Type.String(), colorblindSafe: Type.Boolean() };

export const Colormap = Type.Union([
  Type.Object({ ...base, kind: Type.Literal('continuous'), stops: Type.Array(Stop) }, { additionalProperties: false }),
  Type.Object({ ...base, kind: Type.Literal('categorical'), classes: Type.Array(Type.Object({ value: Type.Number(), name: Type.String(), color: Type.String() }, { additionalProperties: false })) }, { additionalProperties: false }),
]);
export type Colormap = Static<typeof Colormap>;

export const ColormapsResponse = Type.Object({ colormaps: Type.Array(Colormap) }, { additionalProperties: false });
export const ColormapParams = Type.Object({ name: Type.String({ maxLength: 64 }) });
