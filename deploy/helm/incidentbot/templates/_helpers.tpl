{{/*
The release's names, labels and the decisions every template shares: which database,
how many replicas, and the refusals (fail) of values the bot cannot run with.
*/}}

{{- define "incidentbot.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "incidentbot.fullname" -}}
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

{{- define "incidentbot.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "incidentbot.selectorLabels" -}}
app.kubernetes.io/name: {{ include "incidentbot.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "incidentbot.labels" -}}
helm.sh/chart: {{ include "incidentbot.chart" . }}
{{ include "incidentbot.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "incidentbot.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "incidentbot.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "incidentbot.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* "true" when PostgreSQL is selected (a Secret holds its URL), "" for SQLite. */}}
{{- define "incidentbot.postgres" -}}
{{- if .Values.database.existingSecret }}true{{ end }}
{{- end }}

{{/*
The number of replicas: .Values.replicas, or 2 with PostgreSQL and 1 with SQLite. Fails
for more than one with SQLite: it has one writer, and the file is on a ReadWriteOnce volume.
*/}}
{{- define "incidentbot.replicas" -}}
{{- $pg := include "incidentbot.postgres" . }}
{{- $n := .Values.replicas }}
{{- if kindIs "invalid" $n }}
{{- $n = ternary 2 1 (eq $pg "true") }}
{{- end }}
{{- $n = int $n }}
{{- if and (gt $n 1) (ne $pg "true") }}
{{- fail (printf "replicas: %d replicas need PostgreSQL (set database.existingSecret to the Secret holding INCIDENTBOT_DATABASE_URL); with SQLite run exactly 1 (one writer on one volume)" $n) }}
{{- end }}
{{- $n }}
{{- end }}

{{/*
Refuses values the bot would run badly with: secrets written into the config file (they
belong in Secrets), config keys the chart's environment overrides, and no Secret for the
Slack token.
*/}}
{{- define "incidentbot.validate" -}}
{{- if not .Values.secrets.existingSecret }}
{{- fail "secrets.existingSecret: name the Secret holding SLACK_BOT_TOKEN (and the other tokens); the chart never inlines tokens" }}
{{- end }}
{{- if not (index .Values.secrets.keys "SLACK_BOT_TOKEN") }}
{{- fail "secrets.keys.SLACK_BOT_TOKEN: the bot needs its Slack bot token; name its key in secrets.existingSecret" }}
{{- end }}
{{- $c := .Values.config | default dict }}
{{- $inline := list }}
{{- range $section, $keys := dict "slack" (list "bot_token" "app_token" "signing_secret") "pagerduty" (list "token" "webhook_secret") "github" (list "token") "database" (list "url") }}
{{- $s := index $c $section | default dict }}
{{- range $keys }}
{{- if hasKey $s . }}
{{- $inline = append $inline (printf "config.%s.%s" $section .) }}
{{- end }}
{{- end }}
{{- end }}
{{- if hasKey $c "dashboard_token" }}
{{- $inline = append $inline "config.dashboard_token" }}
{{- end }}
{{- if $inline }}
{{- fail (printf "%s: secrets do not belong in the config file (a ConfigMap); put them in secrets.existingSecret (database.url: database.existingSecret)" (join ", " (sortAlpha $inline))) }}
{{- end }}
{{- /* The chart sets these through the environment, which wins over the file. */}}
{{- range $key, $how := dict "listen" "INCIDENTBOT_LISTEN from containerPort" "db" "INCIDENTBOT_DB from persistence.mountPath" "kubeconfig" "KUBECONFIG from kubeconfig.existingSecret" }}
{{- if hasKey $c $key }}
{{- fail (printf "config.%s: the chart sets %s, and the environment wins over the file; set that value instead" $key $how) }}
{{- end }}
{{- end }}
{{- end }}
