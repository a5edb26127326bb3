# The build packages come in a RUN of their own, and the build's RUN removes them and the
# sources again: too late, both still ship in the earlier layers. The build driver's name
# (./do) says nothing of building; the removal says where the build ran.
FROM node:18-alpine

RUN apk add --update bash python3 git build-base linux-headers

ADD . /src

RUN cd /src && ./do \
    && cp /src/tallyd /usr/bin \
    && cp -r /src/tools/* /usr/bin \
    && rm -rf /src /var/cache/apk/* \
    && apk del --purge python3 build-base linux-headers

ENTRYPOINT ["tallyd"]
