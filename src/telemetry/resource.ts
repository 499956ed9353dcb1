import { detectResources, envDetector, resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { METER_NAME } from './catalogue.js';

/**
 * The one resource of metrics (`target_info`) and traces: our name and version, overridden and
 * extended by OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES as the OpenTelemetry spec says.
 */
export function exporterResource(serviceVersion: string): Resource {
  const defaults = resourceFromAttributes({ [ATTR_SERVICE_NAME]: METER_NAME, [ATTR_SERVICE_VERSION]: serviceVersion });
  return defaults.merge(detectResources({ detectors: [envDetector] }));
}
