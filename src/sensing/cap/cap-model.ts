/**
 * CAP messages as data: the vocabulary of CAP 1.2/1.1 (namespaces, enumerations) and the typed
 * message `parseCap` produces, with the problem shape it reports. No logic here.
 */
// ───────────────────────────── vocabulary ─────────────────────────────

export const CAP_NAMESPACES = {
  '1.2': 'urn:oasis:names:tc:emergency:cap:1.2',
  '1.1': 'urn:oasis:names:tc:emergency:cap:1.1',
} as const;
export type CapVersion = keyof typeof CAP_NAMESPACES;
/** CAP 1.0's namespace: recognised only to say clearly that 1.0 is not accepted. */
export const CAP_1_0_NAMESPACE = 'http://www.incident.com/cap/1.0';
/** An enveloped XML signature may follow the last <info> (the schema's `any` in this namespace). */
export const XMLDSIG_NAMESPACE = 'http://www.w3.org/2000/09/xmldsig#';
/** xsi:* hints (schemaLocation …) are tolerated on CAP elements and never followed. */
export const XSI_NAMESPACE = 'http://www.w3.org/2001/XMLSchema-instance';

export const CAP_STATUSES = ['Actual', 'Exercise', 'System', 'Test', 'Draft'] as const;
export type CapStatus = (typeof CAP_STATUSES)[number];
export const CAP_MSG_TYPES = ['Alert', 'Update', 'Cancel', 'Ack', 'Error'] as const;
export type CapMsgType = (typeof CAP_MSG_TYPES)[number];
export const CAP_SCOPES = ['Public', 'Restricted', 'Private'] as const;
export type CapScope = (typeof CAP_SCOPES)[number];
export const CAP_CATEGORIES = ['Geo', 'Met', 'Safety', 'Security', 'Rescue', 'Fire', 'Health', 'Env', 'Transport', 'Infra', 'CBRNE', 'Other'] as const;
export type CapCategory = (typeof CAP_CATEGORIES)[number];
export const CAP_RESPONSE_TYPES = ['Shelter', 'Evacuate', 'Prepare', 'Execute', 'Avoid', 'Monitor', 'Assess', 'AllClear', 'None'] as const;
export type CapResponseType = (typeof CAP_RESPONSE_TYPES)[number];
/** CAP 1.2 added Avoid and AllClear; a 1.1 message may not use them. */
export const CAP_1_1_RESPONSE_TYPES: readonly CapResponseType[] = ['Shelter', 'Evacuate', 'Prepare', 'Execute', 'Monitor', 'Assess', 'None'];
export const CAP_URGENCIES = ['Immediate', 'Expected', 'Future', 'Past', 'Unknown'] as const;
export type CapUrgency = (typeof CAP_URGENCIES)[number];
export const CAP_SEVERITIES = ['Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown'] as const;
export type CapSeverity = (typeof CAP_SEVERITIES)[number];
export const CAP_CERTAINTIES = ['Observed', 'Likely', 'Possible', 'Unlikely', 'Unknown'] as const;
export type CapCertainty = (typeof CAP_CERTAINTIES)[number];

// ───────────────────────────── the message ─────────────────────────────

/** WGS-84 longitude, latitude (CAP writes "lat,lon"; we store GeoJSON order). */
export type CapLonLat = [number, number];

export interface CapValuePair {
  readonly valueName: string;
  readonly value: string;
}

/** One earlier message, from the "sender,identifier,sent" triples of <references>. */
export interface CapReference {
  readonly sender: string;
  readonly identifier: string;
  readonly sent: string;
}

export interface CapResource {
  readonly resourceDesc: string;
  /** Required in 1.2; a 1.1 message may leave it out. */
  readonly mimeType?: string;
  readonly size?: number;
  readonly uri?: string;
  readonly derefUri?: string;
  readonly digest?: string;
}

export interface CapCircle {
  readonly center: CapLonLat;
  readonly radiusKm: number;
}

export interface CapArea {
  readonly areaDesc: string;
  /** Each a closed ring of WGS-84 [lon, lat], at least four points, first = last. */
  readonly polygon: CapLonLat[][];
  readonly circle: CapCircle[];
  readonly geocode: CapValuePair[];
  /** Feet above mean sea level (CAP's unit). */
  readonly altitude?: number;
  readonly ceiling?: number;
}

export interface CapInfo {
  /** RFC 3066 language tag; 'en-US' when the message leaves it out (the schema's default). */
  readonly language: string;
  readonly category: CapCategory[];
  readonly event: string;
  readonly responseType: CapResponseType[];
  readonly urgency: CapUrgency;
  readonly severity: CapSeverity;
  readonly certainty: CapCertainty;
  readonly audience?: string;
  readonly eventCode: CapValuePair[];
  /** As written (with its offset); the `…Utc` twin is ISO-8601 UTC. */
  readonly effective?: string;
  readonly effectiveUtc?: string;
  readonly onset?: string;
  readonly onsetUtc?: string;
  readonly expires?: string;
  readonly expiresUtc?: string;
  readonly senderName?: string;
  readonly headline?: string;
  readonly description?: string;
  readonly instruction?: string;
  readonly web?: string;
  readonly contact?: string;
  readonly parameter: CapValuePair[];
  readonly resource: CapResource[];
  readonly area: CapArea[];
}

export interface CapMessage {
  readonly version: CapVersion;
  readonly identifier: string;
  readonly sender: string;
  /** As written, e.g. 2003-06-17T14:57:00-07:00. */
  readonly sent: string;
  /** The same instant in ISO-8601 UTC, e.g. 2003-06-17T21:57:00.000Z. */
  readonly sentUtc: string;
  readonly status: CapStatus;
  readonly msgType: CapMsgType;
  readonly source?: string;
  readonly scope: CapScope;
  readonly restriction?: string;
  /** Space-separated in CAP, an address with spaces in double quotes. */
  readonly addresses?: string[];
  readonly code: string[];
  readonly note?: string;
  readonly references: CapReference[];
  readonly incidents?: string[];
  readonly infos: CapInfo[];
  /** An XML signature (ds:Signature) was present. It is NOT verified. */
  readonly signed: boolean;
}

export interface CapProblem {
  /** Where, e.g. `/alert/info[0]/area[1]/polygon[0]`; `/` for the document as a whole. */
  readonly path: string;
  readonly message: { readonly zh: string; readonly en: string };
  /** Line and column in the XML, when known. */
  readonly line?: number;
  readonly column?: number;
}

export type CapParseResult =
  | { readonly ok: true; readonly message: CapMessage; readonly warnings: string[] }
  | { readonly ok: false; readonly errors: CapProblem[] };
