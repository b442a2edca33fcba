{{- define "logsift.name" -}}
{{- printf "%s-logsift" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "logsift.labels" -}}
app.kubernetes.io/name: logsift
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "logsift.selector" -}}
app.kubernetes.io/name: {{ if eq .Values.mode "sidecar" }}{{ .Values.sidecar.app.name }}{{ else }}logsift{{ end }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "logsift.image" -}}
{{ .Values.image.repository }}:{{ default .Chart.AppVersion .Values.image.tag }}
{{- end -}}

{{/* The logsift container, the same in both modes but for its resources and heap. */}}
{{- define "logsift.container" -}}
- name: logsift
  image: {{ include "logsift.image" . | quote }}
  imagePullPolicy: {{ .Values.image.pullPolicy }}
  args: ["run", "--config", "/etc/logsift/config.yaml"]
  env:
    # No LOGSIFT_* settings: the environment wins over the file, and the configuration is the ConfigMap's.
    - name: NODE_OPTIONS
      value: {{ printf "--max-old-space-size=%v" (index .Values.heapMiB .Values.mode) | quote }}
    - name: POSTHOG_HOST
      value: {{ .Values.posthog.host | quote }}
    - name: POSTHOG_PROJECT_TOKEN
      valueFrom:
        secretKeyRef:
          name: {{ default (printf "%s-posthog" (include "logsift.name" .)) .Values.posthog.existingSecret }}
          key: {{ if .Values.posthog.existingSecret }}{{ .Values.posthog.existingSecretKey }}{{ else }}token{{ end }}
  ports:
    {{- if eq .Values.mode "gateway" }}
    - { name: otlp-grpc, containerPort: 4317, protocol: TCP }
    - { name: otlp-http, containerPort: 4318, protocol: TCP }
    {{- end }}
    - { name: telemetry, containerPort: 13133, protocol: TCP }
  readinessProbe:
    httpGet: { path: /readyz, port: telemetry }
    periodSeconds: 5
    failureThreshold: 2
  livenessProbe:
    httpGet: { path: /healthz, port: telemetry }
    periodSeconds: 10
    failureThreshold: 6
  startupProbe:
    httpGet: { path: /healthz, port: telemetry }
    periodSeconds: 2
    failureThreshold: 60
  lifecycle:
    preStop:
      exec:
        command: ["sleep", {{ .Values.drain.endpointsSeconds | quote }}]
  resources:
    {{- toYaml (index .Values.resources .Values.mode) | nindent 4 }}
  securityContext:
    runAsNonRoot: true
    runAsUser: 1000
    runAsGroup: 1000
    readOnlyRootFilesystem: true
    allowPrivilegeEscalation: false
    capabilities: { drop: [ALL] }
    seccompProfile: { type: RuntimeDefault }
  volumeMounts:
    - { name: config, mountPath: /etc/logsift/config.yaml, subPath: config.yaml, readOnly: true }
    - { name: auth, mountPath: /etc/logsift/auth, readOnly: true }
    - { name: data, mountPath: /var/lib/logsift }
    - { name: tmp, mountPath: /tmp }
{{- end -}}

{{- define "logsift.volumes" -}}
- name: config
  configMap: { name: {{ include "logsift.name" . }} }
- name: auth
  secret: { secretName: {{ default (printf "%s-auth" (include "logsift.name" .)) .Values.auth.existingSecret }} }
- name: data
  {{- if .Values.persistence.existingClaim }}
  persistentVolumeClaim: { claimName: {{ .Values.persistence.existingClaim }} }
  {{- else }}
  emptyDir: { sizeLimit: {{ .Values.persistence.sizeLimit }} }
  {{- end }}
- name: tmp
  emptyDir: { sizeLimit: 64Mi }
{{- end -}}

{{- define "logsift.podSpecCommon" -}}
terminationGracePeriodSeconds: {{ .Values.terminationGracePeriodSeconds }}
securityContext:
  fsGroup: 1000
  runAsNonRoot: true
  seccompProfile: { type: RuntimeDefault }
{{- with .Values.nodeSelector }}
nodeSelector: {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations: {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity: {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{- define "logsift.podAnnotations" -}}
checksum/config: {{ include (print $.Template.BasePath "/configmap.yaml") . | sha256sum }}
{{- if .Values.prometheusScrape }}
prometheus.io/scrape: "true"
prometheus.io/port: "13133"
prometheus.io/path: /metrics
{{- end }}
{{- with .Values.podAnnotations }}
{{ toYaml . }}
{{- end }}
{{- end -}}
