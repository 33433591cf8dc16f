# Cognate as a container: a static binary (CGO off; SQLite is pure Go) on
# distroless's static image, running as its non-root user.
#   docker build -t cognate .
#   docker run --rm -p 9229:9229 -v cognate-data:/data cognate
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" \
      -o /out/cognate ./cmd/cognate \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/cognate /cognate
# /data belongs to the nonroot user (65532) so that the SQLite file can be
# created in a fresh named volume.
COPY --from=build --chown=65532:65532 /out/data /data
VOLUME /data
# The flags' environment variables, so that `cognate healthcheck` reads the
# same address. Set COGNATE_PUBLIC_URL to the URL clients use: it is the
# token issuer and the discovery documents' base.
ENV COGNATE_ADDR=0.0.0.0:9229 \
    COGNATE_DB=/data/cognate.db \
    COGNATE_PUBLIC_URL=http://localhost:9229
EXPOSE 9229
USER nonroot:nonroot
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 CMD ["/cognate", "healthcheck"]
ENTRYPOINT ["/cognate"]
CMD ["serve"]
