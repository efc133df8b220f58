// Pure: Bedrock's model-invocation logging in plain terms, and the change form → InvocationLogging.
import type { InvocationLogging } from "../../ipc";

export type DataType = "text" | "image" | "embedding" | "video";
export const DATA_TYPES: readonly DataType[] = ["text", "image", "embedding", "video"];

/** The change form as typed. */
export type LoggingDraft = {
  cloudWatch: boolean;
  logGroupName: string;
  roleArn: string;
  s3: boolean;
  bucketName: string;
  keyPrefix: string;
} & Record<DataType, boolean>;

export type LoggingField = "destination" | "logGroupName" | "roleArn" | "bucketName" | "data";
export type LoggingProblem = "noDestination" | "logGroupName" | "roleArn" | "bucketName" | "noData";

/** Logging is off when no destination is set. */
export function loggingOn(config: InvocationLogging): boolean {
  return config.cloudWatch !== null || config.s3 !== null;
}

/** The data types delivered, in a fixed order. */
export function deliveredTypes(config: InvocationLogging): DataType[] {
  return DATA_TYPES.filter((type) => config[type]);
}

/** The form for changing `config`: its values, or text only with no destination when off. */
export function draftFrom(config: InvocationLogging | null): LoggingDraft {
  const on = config !== null && loggingOn(config);
  return {
    cloudWatch: config?.cloudWatch !== null && config?.cloudWatch !== undefined,
    logGroupName: config?.cloudWatch?.logGroupName ?? "",
    roleArn: config?.cloudWatch?.roleArn ?? "",
    s3: config?.s3 !== null && config?.s3 !== undefined,
    bucketName: config?.s3?.bucketName ?? "",
    keyPrefix: config?.s3?.keyPrefix ?? "",
    text: on ? config.text : true,
    image: on ? config.image : false,
    embedding: on ? config.embedding : false,
    video: on ? config.video : false,
  };
}

const LOG_GROUP = /^[\w\-./#]{1,512}$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** The form checked: the configuration to send, or the problem of each field (nothing is fixed up). */
export function checkDraft(draft: LoggingDraft): {
  logging: InvocationLogging | null;
  problems: Partial<Record<LoggingField, LoggingProblem>>;
} {
  const problems: Partial<Record<LoggingField, LoggingProblem>> = {};
  if (!draft.cloudWatch && !draft.s3) problems.destination = "noDestination";
  const logGroupName = draft.logGroupName.trim();
  const roleArn = draft.roleArn.trim();
  const bucketName = draft.bucketName.trim();
  const keyPrefix = draft.keyPrefix.trim();
  if (draft.cloudWatch && !LOG_GROUP.test(logGroupName)) problems.logGroupName = "logGroupName";
  if (draft.cloudWatch && !ROLE_ARN.test(roleArn)) problems.roleArn = "roleArn";
  if (draft.s3 && (!BUCKET.test(bucketName) || bucketName.includes(".."))) problems.bucketName = "bucketName";
  if (!DATA_TYPES.some((type) => draft[type])) problems.data = "noData";
  if (Object.keys(problems).length > 0) return { logging: null, problems };
  return {
    logging: {
      cloudWatch: draft.cloudWatch ? { logGroupName, roleArn } : null,
      s3: draft.s3 ? { bucketName, keyPrefix: keyPrefix === "" ? null : keyPrefix } : null,
      text: draft.text,
      image: draft.image,
      embedding: draft.embedding,
      video: draft.video,
    },
    problems,
  };
}

/** "Turn off": every destination null (the data choices are kept as they were). */
export function loggingOff(config: InvocationLogging | null): InvocationLogging {
  return {
    cloudWatch: null,
    s3: null,
    text: config?.text ?? false,
    image: config?.image ?? false,
    embedding: config?.embedding ?? false,
    video: config?.video ?? false,
  };
}
