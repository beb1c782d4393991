// The manifest's JSON Schema, for editors (yaml-language-server) and `nixkit schema`.
import { z } from "zod";
import { manifestSchema } from "./schema.js";

export function manifestJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(manifestSchema, { io: "input", target: "draft-2020-12" }) as Record<string, unknown>;
  return {
    $id: "https://nixkit.dev/schema/nixkit.schema.json",
    title: "nixkit manifest",
    ...schema,
  };
}
