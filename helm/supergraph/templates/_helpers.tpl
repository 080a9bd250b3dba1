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

{{/*
"true" when the chart renders the DATABASE_URL Secrets itself; empty when database.existingSecret
(yours) holds it. With the bundled Postgres the chart builds the URL from postgresql.auth.password;
from postgresql.auth.existingSecret it cannot (the password is unknown at render time), so then
database.existingSecret must hold the URL.
*/}}
{{- define "supergraph.ownsDatabaseSecret" -}}
{{- if .Values.postgresql.enabled }}
{{- if not .Values.postgresql.auth.existingSecret }}true
{{- else if not .Values.database.existingSecret }}
{{- fail "postgresql.auth.existingSecret is set, so the chart cannot build DATABASE_URL: also set database.existingSecret to a Secret holding postgres://<user>:<password>@<release>-postgresql:5432/postgres" }}
{{- end }}
{{- else if not .Values.database.existingSecret }}true
{{- end }}
{{- end }}

{{/* The bundled subcharts' Service names (their fullname: <release>-<chart>). */}}
{{- define "supergraph.postgresqlHost" -}}
{{- printf "%s-postgresql" .Release.Name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "supergraph.natsHost" -}}
{{- printf "%s-nats" .Release.Name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* DATABASE_URL for the chart's Secrets: the bundled Postgres, or database.url. */}}
{{- define "supergraph.databaseUrl" -}}
{{- if .Values.postgresql.enabled }}
{{- $auth := .Values.postgresql.auth }}
{{- printf "postgres://%s:%s@%s:5432/postgres" $auth.username (required "postgresql.auth.password or postgresql.auth.existingSecret is required when postgresql.enabled (a random default would change on every upgrade)" $auth.password) (include "supergraph.postgresqlHost" .) }}
{{- else }}
{{- required "database.url or database.existingSecret is required" .Values.database.url }}
{{- end }}
{{- end }}

{{- define "supergraph.natsUrl" -}}
{{- if .Values.nats.enabled }}
{{- printf "nats://%s:4222" (include "supergraph.natsHost" .) }}
{{- else }}
{{- .Values.nats.url }}
{{- end }}
{{- end }}

{{/*
Egress rules to Postgres and NATS: to the bundled pods when enabled, else to database/nats .port
(and .cidrs). Call with (dict "root" $ "to" "postgresql"|"nats").
*/}}
{{- define "supergraph.backendEgress" -}}
{{- $bundled := get (get .root.Values .to) "enabled" }}
{{- $ext := ternary .root.Values.database .root.Values.nats (eq .to "postgresql") }}
- ports:
    - port: {{ ternary (ternary 5432 4222 (eq .to "postgresql")) $ext.port $bundled }}
      protocol: TCP
  {{- if $bundled }}
  to:
    - podSelector:
        matchLabels:
          app.kubernetes.io/name: {{ .to }}
          app.kubernetes.io/instance: {{ .root.Release.Name }}
  {{- else if $ext.cidrs }}
  to:
    {{- range $ext.cidrs }}
    - ipBlock:
        cidr: {{ . }}
    {{- end }}
  {{- end }}
{{- end }}

{{- define "supergraph.databaseSecret" -}}
{{- if include "supergraph.ownsDatabaseSecret" . }}
{{- printf "%s-database" (include "supergraph.fullname" .) }}
{{- else }}
{{- .Values.database.existingSecret }}
{{- end }}
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
{{- if include "supergraph.ownsDatabaseSecret" . }}
{{- printf "%s-migrate-database" (include "supergraph.fullname" .) }}
{{- else }}
{{- .Values.database.existingSecret }}
{{- end }}
{{- end }}

{{/*
Annotations of the migration hook's objects; call with (dict "root" $ "weight" "-10"). The bundled
Postgres does not exist before install, and the subgraphs' roles cannot be made before it does: on
install the Job (and its Secrets and policy) are then ordinary objects of the release, created with
the Postgres; the Job waits for it, and the subgraphs, refused until their roles exist, restart until
then. A weight alone makes no hook.
*/}}
{{- define "supergraph.migrateHook" -}}
{{- if and .root.Values.postgresql.enabled .root.Release.IsInstall }}
helm.sh/hook-weight: {{ .weight | quote }}
{{- else }}
helm.sh/hook: {{ ternary "pre-upgrade" "pre-install,pre-upgrade" .root.Values.postgresql.enabled }}
helm.sh/hook-weight: {{ .weight | quote }}
helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
{{- end }}
{{- end }}

{{/*
The Secret of the subgraphs' own DATABASE_URLs, one key per subgraph: database.roles.existingSecret
(yours), or the chart's. Each subgraph's Deployment reads only its own key; the migration Job reads
them all, to give each role its password.
*/}}
{{- define "supergraph.rolesSecret" -}}
{{- if .Values.database.roles.existingSecret }}
{{- .Values.database.roles.existingSecret }}
{{- else if include "supergraph.ownsDatabaseSecret" . }}
{{- printf "%s-database-roles" (include "supergraph.fullname" .) }}
{{- else }}
{{- fail "database.existingSecret holds the admin's URL, which the chart cannot read to build the subgraphs' own: also set database.roles.existingSecret to a Secret with keys users, products, inventory, orders and payments, each postgres://<dbPrefix>_<name>:<password>@<host>:<port>/<dbPrefix>_<name>" }}
{{- end }}
{{- end }}

{{/* The Secret the migration Job reads the subgraphs' URLs from: yours, or the chart's hook-scoped copy. */}}
{{- define "supergraph.migrateRolesSecret" -}}
{{- if .Values.database.roles.existingSecret }}
{{- .Values.database.roles.existingSecret }}
{{- else }}
{{- printf "%s-migrate-database-roles" (include "supergraph.fullname" .) }}
{{- end }}
{{- end }}

{{/*
The subgraphs' role passwords, as JSON, the same for every Secret of one render: database.roles.passwords,
else the one the chart's Secret already holds (kept on upgrade, read with lookup), else generated. Kept
in .Values for the rest of the render, so the hook's copy and the release's Secret agree.
*/}}
{{- define "supergraph.rolePasswords" -}}
{{- if not (hasKey .Values.database.roles "generated") }}
{{- $existing := lookup "v1" "Secret" .Release.Namespace (printf "%s-database-roles" (include "supergraph.fullname" .)) }}
{{- $passwords := dict }}
{{- range $svc := splitList " " (include "supergraph.subgraphs" .) }}
{{- $password := get ($.Values.database.roles.passwords | default dict) $svc }}
{{- if and (not $password) $existing (hasKey ($existing.data | default dict) $svc) }}
{{- $password = index (splitList ":" (urlParse (b64dec (get $existing.data $svc))).userinfo) 1 }}
{{- end }}
{{- $_ := set $passwords $svc (default (randAlphaNum 32) $password) }}
{{- end }}
{{- $_ := set .Values.database.roles "generated" $passwords }}
{{- end }}
{{- toJson .Values.database.roles.generated }}
{{- end }}

{{/* One subgraph's own DATABASE_URL: the admin's server, its role and password, its database. Call with (dict "root" $ "svc" "users"). */}}
{{- define "supergraph.roleUrl" -}}
{{- $server := urlParse (include "supergraph.databaseUrl" .root) }}
{{- $role := printf "%s_%s" .root.Values.database.dbPrefix .svc }}
{{- $password := get (include "supergraph.rolePasswords" .root | fromJson) .svc }}
{{- urlJoin (dict "scheme" $server.scheme "host" $server.host "path" (printf "/%s" $role) "query" $server.query "userinfo" (printf "%s:%s" $role $password)) }}
{{- end }}

{{/* The chart's Secret of the subgraphs' URLs; (dict "root" $ "name" <its name> "annotations" <hook annotations or "">). */}}
{{- define "supergraph.rolesSecretManifest" -}}
apiVersion: v1
kind: Secret
metadata:
  name: {{ .name }}
  labels:
    {{- include "supergraph.commonLabels" .root | nindent 4 }}
  {{- with .annotations }}
  annotations:
    {{- . | nindent 4 }}
  {{- end }}
type: Opaque
stringData:
  {{- range $svc := splitList " " (include "supergraph.subgraphs" .root) }}
  {{ $svc }}: {{ include "supergraph.roleUrl" (dict "root" $.root "svc" $svc) | quote }}
  {{- end }}
{{- end }}

{{/*
EVENTS_STREAM_MAX_BYTES, as an integer (not 1.073741824e+09). With the bundled NATS (one server, its
store on nats.persistence.size) the chart refuses what NATS would refuse when the services start:
replicated streams, or four streams whose max_bytes do not fit. nats-server reserves each stream's
max_bytes out of its store, by default 75% of the free disk; half the volume leaves room for the
filesystem's own share.
*/}}
{{- define "supergraph.streamMaxBytes" -}}
{{- $maxBytes := .Values.events.streamMaxBytes | int64 }}
{{- if .Values.nats.enabled }}
{{- if gt (int .Values.events.streamReplicas) 1 }}
{{- fail "events.streamReplicas must be 1 with the bundled NATS (nats.enabled): it is one server, which refuses replicated streams" }}
{{- end }}
{{- $size := toString .Values.nats.persistence.size }}
{{- if regexMatch "^[0-9]+(Mi|Gi|Ti)$" $size }}
{{- $unit := get (dict "Mi" 1048576 "Gi" 1073741824 "Ti" 1099511627776) (regexFind "[A-Za-z]+$" $size) }}
{{- $fits := div (mul (regexFind "^[0-9]+" $size | int64) $unit) 8 }}
{{- if gt $maxBytes $fits }}
{{- fail (printf "events.streamMaxBytes %d does not fit the bundled NATS's %s volume (nats.persistence.size): each of its four streams reserves that much of the store; set events.streamMaxBytes to at most %d" $maxBytes $size $fits) }}
{{- end }}
{{- end }}
{{- end }}
{{- $maxBytes }}
{{- end }}

{{/* "true" when the services connect to NATS as their own users: the bundled NATS, or yours with nats.auth.existingSecret. */}}
{{- define "supergraph.natsAuth" -}}
{{- if and .Values.nats.auth.enabled (or .Values.nats.enabled .Values.nats.auth.existingSecret) }}true{{ end }}
{{- end }}

{{/* The Secret with NATS_PASSWORD_<USER> per user: yours, or the one the chart makes for its bundled NATS. */}}
{{- define "supergraph.natsSecret" -}}
{{- default (printf "%s-nats-credentials" .Release.Name) .Values.nats.auth.existingSecret }}
{{- end }}
