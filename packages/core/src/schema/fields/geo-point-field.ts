import { fieldError, invalid, parsed, requiredError, type FieldType } from './field-type.js';

/** A point on Earth as PocketBase's geoPoint field holds it, in degrees. */
export interface GeoPoint {
  readonly lon: number;
  readonly lat: number;
}

/** The value of an empty geoPoint field (PocketBase's zero value and column default). */
export function zeroGeoPoint(): GeoPoint {
  return { lon: 0, lat: 0 };
}

/**
 * GeoPoint: `{"lon": …, "lat": …}` in degrees, as PocketBase (0.27 on). A missing key is
 * 0 and other keys are dropped; (0, 0) is the empty value, so `required` refuses it. The
 * latitude must be within ±90 and the longitude within ±180.
 */
export const geoPointField: FieldType = {
  type: 'geoPoint',
  normalizeOptions: () => ({}),
  zeroValue: zeroGeoPoint,
  parse(value) {
    if (value === null || value === undefined || value === '') return parsed(zeroGeoPoint());
    const object = typeof value === 'string' ? parseJsonObject(value) : value;
    if (typeof object !== 'object' || object === null || Array.isArray(object))
      return invalid('validation_invalid_value', 'Must be an object with lon and lat.');
    const { lon = 0, lat = 0 } = object as Record<string, unknown>;
    if (!isFiniteNumber(lon) || !isFiniteNumber(lat))
      return invalid('validation_invalid_value', 'lon and lat must be numbers.');
    return parsed({ lon, lat });
  },
  validate(value, def) {
    const { lon, lat } = value as GeoPoint;
    if (lon === 0 && lat === 0) return def.required ? requiredError : null;
    if (lat < -90 || lat > 90)
      return fieldError('validation_invalid_latitude', 'Latitude must be between -90 and 90 degrees.');
    if (lon < -180 || lon > 180)
      return fieldError('validation_invalid_longitude', 'Longitude must be between -180 and 180 degrees.');
    return null;
  },
};

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** A multipart form sends the point as JSON text. */
function parseJsonObject(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
