FROM node:20 AS builder

# build tools "in case a native module needs them"
RUN apt-get update && apt-get install -y python3 make g++

WORKDIR /usr/src/app
COPY package*.json ./
RUN npm ci
COPY . .
RUN npm run build
# Drop devDependencies: the runtime stage copies node_modules as it is here.
RUN npm prune --omit=dev

ENV NODE_ENV=production

# Runtime: the same Node.js without build tools; the app with production dependencies.
FROM node:20-slim
WORKDIR /usr/src/app
ENV NODE_ENV=production
EXPOSE 3000
COPY --from=builder /usr/src/app /usr/src/app
USER node
CMD ["node", "dist/server.js"]
