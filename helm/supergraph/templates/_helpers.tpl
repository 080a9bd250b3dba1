{{- define "supergraph.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "supergraph.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "supergraph.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The name of one service's objects: <fullname>-<service>. Call with (dict "root" $ "svc" "users"). */}}
{{- define "supergraph.svcname" -}}
{{- printf "%s-%s" (include "supergraph.fullname" .root | trunc 50 | trimSuffix "-") .svc }}
{{- end }}

{{- define "supergraph.labels" -}}
helm.sh/chart: {{ include "supergraph.chart" .root }}
{{ include "supergraph.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: supergraph
{{- end }}

{{- define "supergraph.selectorLabels" -}}
app.kubernetes.io/name: {{ include "supergraph.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .svc }}
{{- end }}

{{/* Labels of the whole release (objects that belong to no one service). */}}
{{- define "supergraph.commonLabels" -}}
helm.sh/chart: {{ include "supergraph.chart" . }}
app.kubernetes.io/name: {{ include "supergraph.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: supergraph
{{- end }}

{{- define "supergraph.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "supergraph.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "supergraph.databaseSecret" -}}
{{- default (printf "%s-database" (include "supergraph.fullname" .)) .Values.database.existingSecret }}
{{- end }}

{{- define "supergraph.signingKeySecret" -}}
{{- default (printf "%s-signing-keys" (include "supergraph.fullname" .)) .Values.signingKeys.existingSecret }}
{{- end }}

{{/* The services' names in a fixed order: gateway first, then the subgraphs. */}}
{{- define "supergraph.subgraphs" -}}
users products inventory orders payments
{{- end }}

{{/* The Secret the migration Job reads DATABASE_URL from: yours, or the chart's hook-scoped one. */}}
{{- define "supergraph.migrateDatabaseSecret" -}}
{{- default (printf "%s-migrate-database" (include "supergraph.fullname" .)) .Values.database.existingSecret }}
{{- end }}

{{/* Annotations of the migration hook's objects; call with (dict "root" $ "weight" "-10"). */}}
{{- define "supergraph.migrateHook" -}}
helm.sh/hook: pre-install,pre-upgrade
helm.sh/hook-weight: {{ .weight | quote }}
helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
{{- end }}
