/**
 * Small helpers over onnx-proto (the ONNX protobuf schema compiled for JS) to build models by hand.
 * There is no ONNX graph builder for TypeScript; these few constructors are all the MLP and forest
 * exports need. Output bytes depend only on the inputs (no timestamps), so exports are reproducible.
 */
import onnxProto from 'onnx-proto';

export const { onnx } = onnxProto;
type IAttribute = onnxProto.onnx.IAttributeProto;
type INode = onnxProto.onnx.INodeProto;
type ITensor = onnxProto.onnx.ITensorProto;
type IValueInfo = onnxProto.onnx.IValueInfoProto;
type IGraph = onnxProto.onnx.IGraphProto;

const IR_VERSION = 8;
export const OPSET = 17;
export const ML_OPSET = 3;

/** Float32 initializer, raw little-endian bytes (compact and exact). */
export function floatTensor(name: string, dims: number[], values: ArrayLike<number>): ITensor {
  const count = dims.reduce((a, b) => a * b, 1);
  if (values.length !== count) throw new Error(`tensor ${name}: ${values.length} values for dims [${dims}]`);
  const buf = Buffer.alloc(count * 4);
  for (let i = 0; i < count; i++) buf.writeFloatLE(values[i] as number, i * 4);
  return { name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: new Uint8Array(buf) };
}

/** A tensor value's type and shape; a string dimension is symbolic (e.g. "N" for the batch). */
export function valueInfo(name: string, elemType: number, shape: (number | string)[]): IValueInfo {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: shape.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}

type AttrValue = number | string | number[] | string[] | { floats: number[] };

/**
 * Builds an attribute. Plain numbers are INT, plain strings STRING; arrays of numbers are INTS unless
 * wrapped as {floats}; FLOAT scalars are not needed by these exports.
 */
export function attr(name: string, v: AttrValue): IAttribute {
  const T = onnx.AttributeProto.AttributeType;
  const enc = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));
  if (typeof v === 'number') return { name, type: T.INT, i: v };
  if (typeof v === 'string') return { name, type: T.STRING, s: enc(v) };
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'string')) return { name, type: T.STRINGS, strings: (v as string[]).map(enc) };
    return { name, type: T.INTS, ints: v as number[] };
  }
  return { name, type: T.FLOATS, floats: v.floats };
}

export function node(
  opType: string,
  inputs: string[],
  outputs: string[],
  name: string,
  attributes: IAttribute[] = [],
  domain = '',
): INode {
  return { opType, input: inputs, output: outputs, name, attribute: attributes, domain };
}

/** Serialises a model with the given graph and opsets (IR 8). */
export function encodeModel(graph: IGraph, opsets: { domain: string; version: number }[], docString: string): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    opsetImport: opsets,
    producerName: 'granary-train',
    producerVersion: '1',
    docString,
    graph,
  });
  return onnx.ModelProto.encode(model).finish();
}
