# dangbo in a container: `docker build -t dangbo .`, then
# `docker run -p 8080:8080 -e DANGBO_JWT_SECRET=… dangbo` (embedded store in the
# /data volume; `docker exec CONTAINER /dangbo token …` mints tokens), or set
# NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD and NEO4J_DATABASE to use Neo4j
# (docker-compose.yml does).

# Build: one static binary. The playground's assets are already embedded from
# internal/playground/dist, so the build needs no Node.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/dangbo ./cmd/dangbo \
 && mkdir /out/data

# Run: the binary alone on a distroless base, as an unprivileged user that
# owns the data directory.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/dangbo /dangbo
COPY --from=build --chown=nonroot:nonroot /out/data /data
ENV DANGBO_ADDR=0.0.0.0:8080 \
    DANGBO_DATA=/data
VOLUME /data
EXPOSE 8080
USER nonroot
ENTRYPOINT ["/dangbo"]
