# Base of the sandbox image on a host that can pull from a registry: Debian's
# python3 and nothing else. The offline route (`grader sandbox build
# --from-debian`) makes the same base with debootstrap instead; the final image
# (Dockerfile) is built FROM either and adds numpy and matplotlib from wheels.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 \
 && rm -rf /var/lib/apt/lists/*
