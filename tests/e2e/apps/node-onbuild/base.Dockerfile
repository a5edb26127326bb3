# tag: node:18-onbuild
# The official node:<version>-onbuild images (retired in 2017), rebuilt on this engine's
# node:18 from the published template: the context is copied and installed in ONBUILD
# triggers, and the image's command is npm start.
FROM node:18

RUN mkdir -p /usr/src/app
WORKDIR /usr/src/app

ONBUILD ARG NODE_ENV
ONBUILD ENV NODE_ENV $NODE_ENV
ONBUILD COPY package.json /usr/src/app/
ONBUILD RUN npm install
ONBUILD COPY . /usr/src/app

CMD [ "npm", "start" ]
