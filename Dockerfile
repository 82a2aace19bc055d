# Multi-stage build: a static binary on distroless, running as non-root.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /out/incidentbot ./cmd/incidentbot \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/incidentbot /incidentbot
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
ENV INCIDENTBOT_DB=/data/incidentbot.db \
    INCIDENTBOT_LISTEN=:8080
VOLUME /data
EXPOSE 8080
ENTRYPOINT ["/incidentbot"]
CMD ["serve"]
